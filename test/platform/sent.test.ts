import t from 'tap';
import { sentId, sentText } from '../../server/schemas.ts';

// What validation answers to a path whose id is no row id (server/views/errors.ts).
const notFound = { statusCode: 404, message: 'That page could not be found.', wrongAddress: true };

t.test("a form's load reads the path's id as validation made it or as it was sent", async (t) => {
  t.equal(sentId({ id: 12 }), 12, 'after validation: the number');
  t.equal(sentId({ id: '12' }), 12, 'before validation: the digits of the address');
  t.equal(sentId({ id: '012' }), 12, 'leading zeros, as validation reads them');
  t.equal(sentId({ id: '1e3' }), 1000, 'a number written otherwise, as validation reads it');
  t.equal(sentId({ id: ' 5' }), 5, 'a space before it (%20 in the address), as validation reads it');
  t.equal(sentId({ sanction: '7' }, 'sanction'), 7, 'another parameter by name');
  for (const id of ['abc', '-1', '0', '1.5', '', ' ', '1e300', '99999999999999999999', 0, -3, 1.5, Number.MAX_SAFE_INTEGER + 1, ['5'], null]) {
    t.throws(() => sentId({ id }), notFound, `no row id: ${JSON.stringify(id)}`);
  }
  t.throws(() => sentId(undefined), notFound, 'no params at all');
  t.throws(() => sentId({}), notFound, 'no id among them');
});

t.test("a form's load reads a text field only if it is one string", async (t) => {
  t.equal(sentText({ token: 'abc' }, 'token'), 'abc');
  t.equal(sentText({ token: '' }, 'token'), '', 'an empty field is still the field');
  t.equal(sentText({ token: ['a', 'b'] }, 'token'), undefined, 'a field sent twice');
  t.equal(sentText({ token: 3 }, 'token'), undefined);
  t.equal(sentText({}, 'token'), undefined);
  t.equal(sentText(undefined, 'token'), undefined, 'no body (a GET, or a body the parser refused)');
  t.equal(sentText('token=abc', 'token'), undefined, 'a body that is not an object');
});
