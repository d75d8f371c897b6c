import { ExpressionError, evaluate, type ExprNode, type Lookup } from '@shared/dsl/expression';
import { taintedLookup, type RenderTaint } from '@shared/dsl/template-string';
import { MASK, type Redactor } from '../security';

/**
 * Secrets are tainted values, not only strings to search for (issue 21). When a step's params are
 * rendered, a value computed from a secret — `{{secrets://k | upper}}`, or a filter or operator
 * applied to a step result that holds a secret — becomes a secret of its own: it is registered
 * with the Redactor before anything is stored, logged or sent, so the step still gets the value
 * (an API that wants the key in capitals) and every place that shows it masks it, until the run
 * ends (`release`: by then everything the run stored, logged and published is masked). A computed
 * value that cannot be told apart by its text (short, a number, a yes/no, or huge) is replaced
 * by the mask itself. The Redactor's text search stays as the second net for what actions return.
 */

/** A derived text shorter than this is masked outright: registering it would mask common words everywhere. */
export const MIN_DERIVED_LENGTH = 8;
/** A derived text longer than this is masked outright (as long as the largest secret a store keeps). */
export const MAX_DERIVED_LENGTH = 65_536;

/** The taint of one run: `release` at its end drops the derived values it registered. */
export interface RunTaint extends RenderTaint {
  release(): void;
}

export function secretTaint(redactor: Redactor): RunTaint {
  const releases: (() => void)[] = [];
  return {
    holds: (value) => redactor.holds(value),
    derived: (value) => {
      if (typeof value === 'string' && value.length >= MIN_DERIVED_LENGTH && value.length <= MAX_DERIVED_LENGTH) {
        releases.push(redactor.registerTransient(value));
        return value;
      }
      return MASK;
    },
    release: () => {
      for (const release of releases.splice(0)) release();
    },
  };
}

/**
 * Evaluates a step's `when`. A condition that reads a value holding a secret is refused whatever
 * its outcome: running or skipping the step would tell the secret's content one bit at a time.
 */
export function evaluateWhen(expr: ExprNode, lookup: Lookup, taint: RenderTaint): unknown {
  const reads = taintedLookup(lookup, taint);
  let value: unknown;
  try {
    value = evaluate(expr, reads.lookup);
  } catch (e) {
    if (e instanceof ExpressionError && reads.tainted()) throw new ExpressionError('it reads a value that holds a secret, which is not shown', e.code);
    throw e;
  }
  if (reads.tainted()) throw new ExpressionError('it reads a value that holds a secret; a step cannot be chosen by what a secret says');
  return value;
}
