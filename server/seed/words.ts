// The words synthetic posts are made of: about 1,500 everyday English words in groups. The
// small words come first; the seed draws them often and the others Zipf-like, so generated
// text has a realistic spread for search (a few words in most posts, most words in few).
// Each group starts with a line `# key: what it holds`; words are lowercase a-z only, so
// generated text is safe HTML as it stands.
const list = `
# small: words that hold sentences together (most of them stop words to search)
the a an and of to in on at for with from by about as or but not no so if then than that this these
those there here it its i me my we us our you your he him his she her they them their who what which
when where why how all any some each every both either neither few many much more most other another
such same own only just also too very quite rather really still already yet even ever never always
often sometimes usually again once twice almost enough is are was were be been being am have has had
do does did done will would shall should can could may might must up down out off over under into
onto through across along around between among behind beside beyond near after before during since
until while because although though unless whether like unlike without within upon against toward
towards above below inside outside
# doing: things people do
get got make made take took give gave go went come came see saw know knew think thought say said
tell told ask asked want need try tried use used find found keep kept let put set run ran read write
wrote show call move live feel felt seem look looked leave left bring brought begin began start
started stop help turn change play hold held stand sit lie lay build built buy bought pay paid send
sent spend spent lose lost win won meet met learn teach taught understand remember forget agree
disagree decide choose chose open close shut follow lead join share post reply answer explain
describe mention suggest offer allow expect hope wish plan prefer enjoy love hate mind wonder guess
believe doubt happen appear include involve contain depend matter mean create design draw paint cook
bake clean wash fix repair break broke check test measure count add remove replace update install
upgrade restore save load sign walk drive ride fly travel visit arrive return reach pass miss catch
throw pick push pull carry lift drop fill empty pour mix cut grow plant water pack wrap hang fold
sort list note mark print copy paste type click scroll search browse watch listen hear sing dance
laugh smile cry sleep wake rest relax work study practise practice train improve prepare organise
organize manage handle solve support protect prevent avoid reduce increase compare notice report
request review rate vote thank welcome invite accept refuse finish complete continue repeat wait
stay shop order deliver ship exchange borrow lend rent belong care worry trust respect imagine dream
# being: how things are
good bad new old big small large little long short high low early late young fresh great best better
worse worst right wrong true false easy hard simple difficult clear strange odd nice fine happy sad
glad sorry sure certain possible likely real main whole full light dark heavy quick fast slow quiet
loud warm cold hot cool dry wet soft rough smooth sharp dirty bright plain fancy cheap expensive
free busy ready far wide narrow deep shallow thick thin strong weak safe useful helpful useless
handy friendly kind polite honest fair patient careful brave calm proud curious serious funny silly
clever wise lucky tired bored excited nervous worried grateful cheerful lonely lovely pretty ugly
tiny huge tall round flat square straight broken missing extra spare recent current modern ancient
classic popular rare common normal usual unusual special general local public private personal
official social basic complex steady gentle rapid sudden gradual regular frequent occasional daily
weekly monthly yearly annual half double single several various different similar separate equal
exact perfect awful amazing awesome brilliant terrible decent average typical obvious hidden visible
secret closed final first second third next last previous major minor
# time: time
time day week month year hour minute moment morning afternoon evening night today tomorrow yesterday
weekend holiday season spring summer autumn fall winter january february march april june july
august september october november december monday tuesday wednesday thursday friday saturday sunday
past present future history date calendar clock birthday anniversary
# people: people
people person man woman child children boy girl baby family mother father parent brother sister son
daughter uncle aunt cousin grandmother grandfather friend neighbor neighbour partner colleague boss
customer guest visitor stranger member team group crowd audience class student teacher doctor nurse
driver pilot farmer baker chef artist writer singer player coach captain leader owner seller buyer
expert beginner volunteer
# home: home
home house apartment room kitchen bedroom bathroom garden yard garage shed attic cellar roof wall
floor ceiling door window stairs hall corner shelf table chair desk sofa couch bed lamp mirror
carpet rug curtain pillow blanket towel drawer cupboard cabinet fridge freezer oven stove sink tap
kettle toaster microwave dishwasher heater fan fireplace chimney fence gate path lawn hedge pond
porch balcony
# things: things, places and shapes in general
thing stuff place way part side end point line piece bit lot form shape size number amount level
speed distance weight height length width depth area space edge top bottom middle centre center
front back surface base circle pattern colour color red orange yellow green blue purple pink brown
black white grey gray gold silver
# outdoors: outdoors
world country city town village street road lane avenue bridge tunnel river lake sea ocean beach
coast island hill mountain valley forest wood field meadow desert cave rock stone sand soil mud
grass tree leaf branch root flower seed bush weed moss sky sun moon star cloud rain snow wind storm
thunder lightning rainbow fog frost ice air fire smoke wave tide weather temperature climate
# food: food and the kitchen
food meal breakfast lunch dinner supper snack dessert bread butter cheese egg milk cream yogurt rice
pasta noodle soup salad sandwich pizza pie cake cookie biscuit muffin pancake waffle jam honey sugar
salt pepper spice herb garlic onion potato tomato carrot pea bean lettuce cabbage cucumber pumpkin
mushroom apple banana lemon lime grape cherry peach pear plum melon strawberry raspberry blueberry
nut almond walnut peanut chocolate coffee tea juice recipe flour yeast dough oil vinegar sauce gravy
pan pot plate bowl cup mug glass jar bottle spoon fork knife lid tray
# animals: animals
animal pet dog puppy cat kitten bird fish horse cow sheep goat pig chicken duck goose rabbit mouse
rat squirrel fox wolf bear deer owl eagle hawk crow robin sparrow pigeon parrot swan frog toad snake
lizard turtle bee wasp ant spider butterfly moth beetle worm snail whale dolphin shark seal penguin
crab lobster otter hedgehog badger
# health: body and health
body head face hair eye ear nose mouth tooth teeth tongue lip neck shoulder arm elbow hand finger
thumb nail chest stomach leg knee foot feet toe skin bone heart brain blood health illness cough
fever headache pain injury medicine pill clinic hospital dentist exercise fitness gym yoga running
jogging swimming cycling walking hiking climbing stretching muscle energy diet
# travel: getting around
car bus tram taxi bike bicycle scooter motorbike truck van boat ferry plane flight airport station
platform ticket seat luggage suitcase bag backpack passport map route trip journey hotel hostel
campsite tent sleeping cabin resort tour guide souvenir
# leisure: learning and leisure
school college university lesson course lecture exam grade homework
# work: work
project essay notebook pencil pen marker eraser ruler paper page book chapter library dictionary
science physics chemistry biology maths math geography language english grammar spelling vocabulary
music art drawing painting sport football tennis golf chess puzzle game hobby craft knitting sewing
pottery photography camera photo picture video film movie series episode podcast radio concert band
song album guitar piano drum violin flute choir theatre theater stage museum gallery festival party
wedding gift card letter
# money: money and shopping
money price cost bill receipt budget saving loan bank account cash coin payment invoice discount
sale deal store market mall bakery pharmacy grocery butcher delivery parcel package shipping refund
warranty
# computers: computers and software
computer laptop tablet phone mobile desktop screen keyboard printer scanner monitor speaker
headphones microphone webcam battery charger cable plug socket adapter router modem network wifi
internet website browser server storage disk memory folder file document spreadsheet presentation
email inbox message chat contact address password username login logout profile avatar setting
settings option preference notification alert reminder app application software hardware program
code script bug error crash glitch issue problem patch workaround solution release version feature
beta preview roadmap changelog backup sync export import upload download uninstall restart reboot
dashboard menu button toolbar sidebar tab panel widget plugin extension theme layout font icon emoji
shortcut link filter result chart graph summary overview
# community: community life
community forum thread topic comment question idea suggestion feedback rating poll survey discussion
conversation opinion argument view tip trick tutorial manual faq wiki announcement news event meetup
webinar workshop moderator admin staff helpdesk complaint praise thanks introduction hello goodbye
rule guideline policy privacy security permission role rank badge reward streak signature tag
category task goal deadline schedule meeting agenda draft template checklist milestone progress
status priority step phase process method system tool resource material product service brand
company business office department manager client supplier contract agreement proposal decision
reason effect cause example case detail fact choice chance risk benefit advantage mistake experience
skill knowledge habit routine challenge success failure difference improvement growth quality value
# odds: clothes and odds and ends
clothes jacket coat shirt sweater jumper trousers jeans dress skirt scarf glove hat cap boot shoe
sock belt pocket wallet purse umbrella ring necklace basket bucket candle ladder hammer drill screw
bolt brush broom sponge soap shampoo toothbrush
`;

/** Group key → its words, in the order written. */
export const wordGroups = new Map<string, string[]>();
let group: string[] = [];
for (const line of list.split('\n')) {
  if (line.startsWith('# ')) wordGroups.set(line.slice(2, line.indexOf(':')), (group = []));
  else group.push(...line.split(/\s+/).filter(Boolean));
}

export const words: readonly string[] = [...wordGroups.values()].flat();
