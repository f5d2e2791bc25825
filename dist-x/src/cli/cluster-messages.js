export function processUsage() {
    const cpu = process.cpuUsage();
    return { pid: process.pid, userUs: cpu.user, systemUs: cpu.system, maxRssKb: process.resourceUsage().maxRSS };
}
export function isMessage(msg) {
    return typeof msg === 'object' && msg !== null && typeof msg.type === 'string' && msg.type.startsWith('strangler:');
}
//# sourceMappingURL=cluster-messages.js.map