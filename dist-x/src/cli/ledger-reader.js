export {};
//# sourceMappingURL=ledger-reader.js.map