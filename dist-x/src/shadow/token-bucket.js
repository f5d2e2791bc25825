/**
 * A per-route rate budget: `rate` tokens a second, bursts up to one
 * second's worth — but never less than one token, or a rate under one a
 * second (0.5: a copy every two seconds) would never let a copy through.
 */
export class TokenBucket {
    rate;
    tokens;
    last;
    constructor(rate, now = performance.now()) {
        this.rate = rate;
        this.tokens = Math.max(1, rate);
        this.last = now;
    }
    setRate(rate) {
        this.rate = rate;
        this.tokens = Math.min(this.tokens, Math.max(1, rate));
    }
    take(now = performance.now()) {
        this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.last) / 1000) * this.rate);
        this.last = now;
        if (this.tokens < 1)
            return false;
        this.tokens -= 1;
        return true;
    }
}
//# sourceMappingURL=token-bucket.js.map