import { test } from "node:test";
import assert from "node:assert/strict";
import { fmt, ratio, spread } from "./stats.js";

test("spread: median of odd and even counts, range, non-finite values dropped", () => {
  assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
  assert.deepEqual(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4 });
  assert.deepEqual(spread([5, Number.NaN]), { median: 5, min: 5, max: 5, n: 1 });
  assert.equal(spread([]), undefined);
});

test("fmt and ratio", () => {
  assert.equal(fmt(spread([12.34, 11.9, 13])), "12.3 (11.9–13.0)");
  assert.equal(fmt(spread([1234.5]), 0, " MiB"), "1,235 MiB");
  assert.equal(fmt(undefined), "–");
  assert.equal(ratio(spread([10]), spread([4])), "×2.50");
  assert.equal(ratio(spread([10]), undefined), "–");
});
