// Small helpers for the words of messages.

/** "1 broker", "3 brokers": a count with its noun in the right number. */
export function counted(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
