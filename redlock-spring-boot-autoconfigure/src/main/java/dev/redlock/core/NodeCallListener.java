package dev.redlock.core;

import dev.redlock.NodeOutcome;

/** Told of each node call that got an answer, and of each that ended in an error. */
interface NodeCallListener {

	/** The node answered a call (yes or no). */
	void answered(int index);

	/** A call failed, or was not sent. */
	void failed(int index, NodeOutcome outcome, Throwable error);

}
