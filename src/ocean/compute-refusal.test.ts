/**
 * A node's refusal of a compute job as a sentence (issue 16 item 11): the
 * bodies are what the real Ocean Node answers (../shared/conformance/ and its
 * initializeCompute handler) and what our local node answers, each wrapped
 * the way @oceanprotocol/lib 8 wraps them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeRefusal, nodeReason } from './compute-refusal';

const DATASET = 'did:op:' + 'd'.repeat(64);
const ALGORITHM = 'did:op:' + 'a'.repeat(64);
const job = {
  datasetName: 'Sensor log',
  datasetDid: DATASET,
  algorithmName: 'Row counter'
};
/** How the lib's initializeCompute throws a non-OK answer's body. */
const wrapped = (body: string) =>
  new Error(`ComputeJob cannot be initialized: ${body}.`);

for (const [node, body] of [
  [
    'the real Ocean Node (plain text)',
    `Algorithm ${ALGORITHM} not allowed to run on the dataset: ${DATASET}`
  ],
  [
    'our local node (JSON)',
    JSON.stringify({
      error: `Algorithm ${ALGORITHM} not allowed to run on the dataset: ${DATASET}`,
      code: 'ALGORITHM_NOT_TRUSTED'
    })
  ]
] as const) {
  test(`an untrusted algorithm, as ${node}, is a sentence in names`, () => {
    const error = computeRefusal(
      wrapped(body),
      'The Ocean Node will not run this job',
      job
    );
    assert.equal(error.code, 'OCEAN_COMPUTE_REFUSED');
    assert.equal(
      error.message,
      `The algorithm “Row counter” is not allowed to run on the dataset “Sensor log”: its publisher trusts only the algorithms it chose. Run one of those instead (%ocean compute ${DATASET} without --algorithm lists them). Nothing was ordered or paid.`
    );
    for (const raw of ['{', '"error"', 'ALGORITHM_NOT_TRUSTED', 'ComputeJob'])
      assert.ok(!error.message.includes(raw), raw);
  });
}

test('refused at the start, after orders: the orders stay for a rerun', () => {
  const error = computeRefusal(
    new Error(
      JSON.stringify(
        `Algorithm ${ALGORITHM} not allowed to run on the dataset: ${DATASET}`
      )
    ),
    'The Ocean Node refused to start the job',
    { ...job, ordered: true }
  );
  assert.match(error.message, /The orders made for it stay valid for a rerun/);
});

test('other refusals keep the node sentence without the wrapping', () => {
  // JSON strings and plain text, as recorded from the real node.
  assert.equal(
    nodeReason(wrapped('"Invalid C2D Environment"')),
    'Invalid C2D Environment'
  );
  assert.equal(nodeReason(wrapped('Missing algorithm')), 'Missing algorithm');
  assert.equal(
    nodeReason(
      wrapped(
        '{"error":"The payment token must be OCEAN.","code":"INVALID_PAYMENT"}'
      )
    ),
    'The payment token must be OCEAN'
  );
  assert.equal(
    computeRefusal(
      wrapped('Internal Server Error'),
      'The Ocean Node will not run this job'
    ).message,
    'The Ocean Node will not run this job: Internal Server Error.'
  );
});
