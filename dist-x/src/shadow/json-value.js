/**
 * JSON text → values that compare by meaning.
 *
 * JSON.parse turns every number into a double, so two integers past 2^53
 * that differ (a 64-bit id a JavaScript service rounded, say) would read as
 * equal. Numerals with 16 or more significant digits are therefore kept
 * exactly, as a LongNumber; everything shorter is a double, for which
 * equal doubles mean equal decimals. Bodies with no run of 16 digits take
 * the fast path through JSON.parse.
 */
export class LongNumber {
    text;
    canonical;
    constructor(
    /** The numeral as written. */
    text, 
    /** Sign, significant digits and exponent: equal numerals have equal canonical forms (`1.50e3` = `1500`). */
    canonical) {
        this.text = text;
        this.canonical = canonical;
    }
    get value() {
        return Number(this.text);
    }
}
export function jsonType(v) {
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return 'array';
    if (v instanceof LongNumber)
        return 'number';
    const t = typeof v;
    return t === 'object' ? 'object' : t;
}
export function isJsonObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof LongNumber);
}
export function numberValue(v) {
    return typeof v === 'number' ? v : v.value;
}
/** Sign, digits without leading or trailing zeros, exponent; and how many significant digits. */
export function canonicalNumeral(text) {
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m)
        return { canonical: text, digits: 0 };
    const frac = m[3] ?? '';
    let digits = (m[2] + frac).replace(/^0+/, '');
    if (digits === '')
        return { canonical: '0', digits: 1 };
    let exp = BigInt(m[4] ?? '0') - BigInt(frac.length);
    const trimmed = digits.replace(/0+$/, '');
    exp += BigInt(digits.length - trimmed.length);
    digits = trimmed;
    return { canonical: `${m[1]}${digits}e${exp}`, digits: digits.length };
}
const MAX_DEPTH = 2000;
const NUMERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A numeral with 16+ significant digits has 16+ digits and dots in a row; strings may have such runs too, harmlessly. */
function hasLongDigitRun(text) {
    let run = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if ((c >= 0x30 && c <= 0x39) || c === 0x2e) {
            if (++run >= 16)
                return true;
        }
        else
            run = 0;
    }
    return false;
}
class Parser {
    s;
    i = 0;
    constructor(s) {
        this.s = s;
    }
    fail(detail) {
        throw new SyntaxError(`${detail} at position ${this.i}`);
    }
    ws() {
        const s = this.s;
        let i = this.i;
        for (; i < s.length; i++) {
            const c = s.charCodeAt(i);
            if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)
                break;
        }
        this.i = i;
    }
    document() {
        this.ws();
        const v = this.value(0);
        this.ws();
        if (this.i !== this.s.length)
            this.fail('unexpected text after the value');
        return v;
    }
    value(depth) {
        if (depth > MAX_DEPTH)
            this.fail('nested too deeply');
        const c = this.s[this.i];
        if (c === '{')
            return this.object(depth);
        if (c === '[')
            return this.array(depth);
        if (c === '"')
            return this.string();
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9'))
            return this.number();
        for (const [word, v] of [
            ['true', true],
            ['false', false],
            ['null', null],
        ]) {
            if (this.s.startsWith(word, this.i)) {
                this.i += word.length;
                return v;
            }
        }
        return this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
    }
    object(depth) {
        // No prototype: a member named __proto__ is data, as JSON.parse has it.
        const out = Object.create(null);
        this.i++;
        this.ws();
        if (this.s[this.i] === '}') {
            this.i++;
            return out;
        }
        for (;;) {
            if (this.s[this.i] !== '"')
                this.fail('expected a member name');
            const name = this.string();
            this.ws();
            if (this.s[this.i] !== ':')
                this.fail('expected :');
            this.i++;
            this.ws();
            out[name] = this.value(depth + 1);
            this.ws();
            const c = this.s[this.i++];
            if (c === '}')
                return out;
            if (c !== ',')
                this.fail('expected , or }');
            this.ws();
        }
    }
    array(depth) {
        const out = [];
        this.i++;
        this.ws();
        if (this.s[this.i] === ']') {
            this.i++;
            return out;
        }
        for (;;) {
            out.push(this.value(depth + 1));
            this.ws();
            const c = this.s[this.i++];
            if (c === ']')
                return out;
            if (c !== ',')
                this.fail('expected , or ]');
            this.ws();
        }
    }
    string() {
        const s = this.s;
        const start = this.i;
        let escaped = false;
        let i = start + 1;
        for (; i < s.length; i++) {
            const c = s.charCodeAt(i);
            if (c === 0x22)
                break;
            if (c === 0x5c) {
                escaped = true;
                i++;
            }
            else if (c < 0x20) {
                this.i = i;
                this.fail('control character in a string');
            }
        }
        if (i >= s.length) {
            this.i = i;
            this.fail('unterminated string');
        }
        this.i = i + 1;
        if (!escaped)
            return s.slice(start + 1, i);
        try {
            return JSON.parse(s.slice(start, i + 1));
        }
        catch {
            this.i = start;
            return this.fail('bad escape in a string');
        }
    }
    number() {
        NUMERAL.lastIndex = this.i;
        const m = NUMERAL.exec(this.s);
        if (!m)
            return this.fail('bad number');
        this.i += m[0].length;
        const text = m[0];
        if (text.length < 16)
            return Number(text);
        const { canonical, digits } = canonicalNumeral(text);
        return digits >= 16 ? new LongNumber(text, canonical) : Number(text);
    }
}
export function parseJson(text) {
    try {
        if (!hasLongDigitRun(text))
            return { ok: true, value: JSON.parse(text) };
        return { ok: true, value: new Parser(text).document() };
    }
    catch (err) {
        return { ok: false, error: err.message };
    }
}
/** Back to JSON text, long numerals as they were written. */
export function stringifyJson(v) {
    if (v instanceof LongNumber)
        return v.text;
    if (Array.isArray(v))
        return '[' + v.map(stringifyJson).join(',') + ']';
    if (isJsonObject(v)) {
        return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + stringifyJson(v[k])).join(',') + '}';
    }
    return JSON.stringify(v);
}
//# sourceMappingURL=json-value.js.map