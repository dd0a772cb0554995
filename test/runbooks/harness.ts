import type { Guardrails } from '../../functions/lib/core/guardrails.js';
import type { DeployedNames } from '../../functions/lib/runbook/run-input.js';
import type { SynthesizedRunbook } from './support.js';
import type { Answer, World } from './world.js';

/**
 * What the shared contract suite (contract.test.ts) knows of one runbook: each runbook's
 * `<name>/harness.ts` describes it, the suite derives everything else from its registry row.
 */

/** The world the suite asks for: guardrails over mode `auto`, and a person's answer. */
export interface ContractWorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  /** The answer to an approval request (runbooks that ask); an approval unless given. */
  readonly approval?: Answer | 'no answer';
}

export interface RunbookHarness {
  /** The runbook alone in a test stack, synthesized with the cdk-nag packs. */
  readonly synth: () => SynthesizedRunbook<unknown>;
  /** The names `synth` gave the resources its input may name (ValidateInput's rules use them). */
  readonly deployed: Omit<DeployedNames, 'namePrefix'>;
  readonly runTimeoutSeconds: number;
  /** Every Task state of the definition, those inside a Parallel included. */
  readonly tasks: readonly string[];
  /** An input the runbook acts on (after approval, if its row asks) and then recovers. */
  readonly validInput: Readonly<Record<string, unknown>>;
  /** The Tasks a run of `validInput` calls before the check's verdict, in order. */
  readonly checks: readonly string[];
  /** What the check says the run of `validInput` will do (dry-run, approval request). */
  readonly action: string;
  /** The Tasks that change the shop. */
  readonly mutating: readonly string[];
  /**
   * The first mutating call of a run of `validInput`: its state, its parameters and the error
   * name a throttled call raises (as the SDK integration names it).
   */
  readonly act: {
    readonly state: string;
    readonly call: unknown;
    readonly throttledBy: string;
  };
  /** A world where a run of `validInput` acts and its verify sees the recovery. */
  readonly world: (options?: ContractWorldOptions) => World | Promise<World>;
  /**
   * Runbooks whose recovery AWS announces (announced-recovery.ts): a world where the run of
   * `validInput` acts and the announcement comes in the round after which its verify sees the
   * recovery (the world of `world` otherwise). The other worlds hear no announcement.
   */
  readonly announced?: { readonly world: () => World | Promise<World> };
  /** A run whose verify never sees the recovery and gives up after `checks` calls of `verify`. */
  readonly neverRecovers: {
    readonly world: () => World | Promise<World>;
    /** `validInput` unless given. */
    readonly input?: Readonly<Record<string, unknown>>;
    readonly verify: string;
    readonly checks: number;
    /** The error the run fails with, and a part of its cause. */
    readonly error: string;
    readonly cause: string;
  };
}
