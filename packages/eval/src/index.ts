/** Evaluation harness (filled in by issue 7). */
export {};
