// Until the thread staff routes import ../text/moments.ts directly.
export { formatMoment, parseMoment } from '../text/moments.ts';
