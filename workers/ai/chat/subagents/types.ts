import type { VisionResult } from "../../vision/index.ts";
import type { Intent } from "../intent/intents.ts";
import type { GeoPoint, PastMessage } from "../ports.ts";

/** What every sub-agent knows about the turn. */
export interface Turn {
  readonly message: string;
  readonly intents: readonly Intent[];
  readonly history: readonly PastMessage[];
  readonly vision?: VisionResult;
  /** The user's location: sent with the message, or asked for (needs_input) on first use. */
  location(): Promise<GeoPoint | undefined>;
}

/**
 * A Finding is what one sub-agent found: `facts` are Korean sentences the composer turns into
 * 이코's answer (the embedded composer uses them nearly as they are); `result` is the stage event's
 * result; `found` is false when the sub-agent had nothing useful (no match, no location, not
 * available), which the eval stage counts against the answer.
 */
export interface Finding {
  readonly intent: Intent;
  readonly found: boolean;
  readonly facts: readonly string[];
  readonly result: Record<string, unknown>;
  /** Where the facts come from (rule documents, the price survey, place data). */
  readonly sources?: readonly string[];
}

export type SubAgent = (turn: Turn) => Promise<Finding>;
