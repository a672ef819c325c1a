package dev.redlock.faults;

/**
 * A protection the suite switches off on purpose, for a negative control: a run that must fail,
 * so that the checks are seen to catch what they are there to catch. Never set in the library:
 * only in the suite's resource and in the configuration of its client JVMs.
 */
enum Sabotage {

	/** The fenced resource accepts every write, whatever its token: stale writes get through. */
	FENCING_OFF,

	/** The clients run without the restart guard ({@code redlock.restart-guard.enabled=false}). */
	RESTART_GUARD_OFF,

	/**
	 * Two clients count a majority of their own three nodes as a quorum of the five: one sees
	 * nodes 0 to 2, the other nodes 2 to 4, so each takes a lock on two nodes the other never asks.
	 */
	SPLIT_QUORUM

}
