/**
 * A bounded copy of a body as it streams past. Past `max` bytes it keeps
 * nothing and says so: a partial body compared as if whole would report
 * differences that are not there.
 */
export class BodyCapture {
    max;
    chunks = [];
    size = 0;
    truncated = false;
    constructor(max) {
        this.max = max;
    }
    push(chunk) {
        if (this.truncated)
            return;
        if (this.size + chunk.length > this.max) {
            this.truncated = true;
            this.chunks = [];
            return;
        }
        this.chunks.push(chunk);
        this.size += chunk.length;
    }
    body() {
        return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    }
}
//# sourceMappingURL=body-capture.js.map