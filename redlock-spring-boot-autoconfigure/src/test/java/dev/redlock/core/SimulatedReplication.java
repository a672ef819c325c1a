package dev.redlock.core;

import java.util.ArrayDeque;

/**
 * A simulated master's recent writes, each with how to take it back, for a failover: the replica
 * that takes over has every write but those of the last moments (asynchronous replication), which
 * {@link #rollBack} undoes, newest first. Writes older than {@link #MAX_LAG_NANOS} have reached the
 * replica and are forgotten.
 */
final class SimulatedReplication {

	/** The longest replication lag a failover may lose. */
	static final long MAX_LAG_NANOS = 200 * EngineSimulation.MS;

	private record Write(long at, Runnable undo) {
	}

	private final ArrayDeque<Write> writes = new ArrayDeque<>();

	/** A write at {@code now}; {@code undo} puts back what it replaced. */
	void wrote(long now, Runnable undo) {
		while (!this.writes.isEmpty() && now - this.writes.peekFirst().at() > MAX_LAG_NANOS) {
			this.writes.pollFirst();
		}
		this.writes.addLast(new Write(now, undo));
	}

	/**
	 * Takes back every write made after {@code since}, newest first: what a replica that lags that
	 * far behind lacks. Forgets the rest, which the replica has.
	 */
	void rollBack(long since) {
		while (!this.writes.isEmpty() && this.writes.peekLast().at() - since > 0) {
			this.writes.pollLast().undo().run();
		}
		this.writes.clear();
	}

	/** Forgets every write: the data they changed is gone (a restart without persistence). */
	void forget() {
		this.writes.clear();
	}

}
