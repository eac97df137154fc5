/**
 * An Ocean Node's refusal of a compute job, in a sentence a data scientist
 * understands. The lib wraps the node's answer in its own words
 * ("ComputeJob cannot be initialized: <body>."), and the body is plain text
 * from the real Ocean Node ("Algorithm did:op:… not allowed to run on the
 * dataset: did:op:…", see ../shared/conformance/) or a JSON `{ error }` (our
 * local node, and some of the real node's routes). Neither belongs in front
 * of a person as it is.
 */
import { errorWords, OceanError } from '../errors';

/** What the refused job was, in names. */
export interface IRefusedJob {
  datasetName: string;
  datasetDid: string;
  algorithmName: string;
  /** Whether orders were already made when the node refused (the start, not the pricing). */
  ordered?: boolean;
}

const LIB_WRAPPERS = [
  /^ComputeJob cannot be initialized:\s*/i,
  /^Compute start failed:\s*/i,
  /^Error:\s*/
];

/** The node's own sentence out of the lib's error: JSON unwrapped, the lib's words gone. */
export function nodeReason(error: unknown): string {
  let text = (error instanceof Error ? error.message : String(error)).trim();
  for (const wrapper of LIB_WRAPPERS) text = text.replace(wrapper, '');
  const start = text.search(/[{"]/);
  if (start >= 0) {
    // The lib adds a full stop after the body, which JSON.parse refuses.
    const body = text.slice(start).replace(/\.\s*$/, '');
    try {
      const parsed = JSON.parse(body);
      const inner =
        typeof parsed === 'string'
          ? parsed
          : typeof parsed?.error === 'string'
            ? parsed.error
            : typeof parsed?.message === 'string'
              ? parsed.message
              : '';
      if (inner) text = `${text.slice(0, start)}${inner}`.trim();
    } catch {
      // not JSON: the text is the node's sentence
    }
  }
  return text.replace(/\.\s*$/, '');
}

/** The node's refusal as an OceanError; `what` says which step was refused. */
export function computeRefusal(
  error: unknown,
  what: string,
  job?: IRefusedJob
): OceanError {
  const reason = nodeReason(error);
  if (job && /not allowed to run on the dataset/i.test(reason)) {
    const after = job.ordered
      ? errorWords.__(
          'The orders made for it stay valid for a rerun with an allowed algorithm.'
        )
      : errorWords.__('Nothing was ordered or paid.');
    return new OceanError(
      'OCEAN_COMPUTE_REFUSED',
      errorWords.__(
        'The algorithm “%1” is not allowed to run on the dataset “%2”: its publisher trusts only the algorithms it chose. Run one of those instead (%ocean compute %3 without --algorithm lists them). %4',
        job.algorithmName,
        job.datasetName,
        job.datasetDid,
        after
      ),
      { did: job.datasetDid }
    );
  }
  return new OceanError(
    'OCEAN_COMPUTE_REFUSED',
    reason ? `${what}: ${reason}.` : `${what}.`
  );
}
