package dev.redlock.core;

import java.util.Arrays;

/**
 * The calls a lock has sent so far, per node, as {@link LeaseChain} keeps them for
 * {@link Preceding}: its acquisition, then each extension. A later command goes to a node only once
 * every earlier call there has ended, and not at all where the acquisition never set the key
 * ({@link Verdicts#releaseNeeded}, asked once those calls have ended).
 */
final class SimulatedChain {

	private static final SimulatedRound.Call[] NONE = {};

	private final SimulatedRound acquisition;

	/** Per node, the earlier calls that had not ended when the chain was made. */
	private final SimulatedRound.Call[][] tails;

	private SimulatedChain(SimulatedRound acquisition, SimulatedRound.Call[][] tails) {
		this.acquisition = acquisition;
		this.tails = tails;
	}

	/** The chain of {@code acquisition}: a lock just acquired, or an attempt to release. */
	static SimulatedChain of(SimulatedRound acquisition) {
		SimulatedRound.Call[][] tails = new SimulatedRound.Call[acquisition.engine.sim.nodes()][];
		for (int i = 0; i < tails.length; i++) {
			tails[i] = new SimulatedRound.Call[] { acquisition.call(i) };
		}
		return new SimulatedChain(acquisition, tails);
	}

	/** The chain once {@code round} has been sent too ({@link LeaseChain#then}). */
	SimulatedChain then(SimulatedRound round) {
		SimulatedRound.Call[][] next = new SimulatedRound.Call[this.tails.length][];
		for (int i = 0; i < next.length; i++) {
			SimulatedRound.Call[] pending = ended(i) ? NONE : this.tails[i];
			next[i] = Arrays.copyOf(pending, pending.length + 1);
			next[i][pending.length] = round.call(i);
		}
		return new SimulatedChain(this.acquisition, next);
	}

	/** Whether every earlier call on node {@code index} has ended ({@link Preceding#tail} done). */
	boolean ended(int index) {
		for (SimulatedRound.Call call : this.tails[index]) {
			if (!call.done()) {
				return false;
			}
		}
		return true;
	}

	/** Runs {@code action} once every earlier call on node {@code index} has ended. */
	void whenEnded(int index, Runnable action) {
		for (SimulatedRound.Call call : this.tails[index]) {
			if (!call.done()) {
				call.whenDone(() -> whenEnded(index, action));
				return;
			}
		}
		action.run();
	}

	/** Whether node {@code index} may hold the key ({@link Preceding#needed}). */
	boolean needed(int index) {
		return Verdicts.releaseNeeded(!this.acquisition.notSent(index), this.acquisition.refused(index));
	}

	String key() {
		return this.acquisition.key;
	}

	String token() {
		return this.acquisition.token;
	}

}
