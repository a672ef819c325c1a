package dev.redlock.faults;

/**
 * The faults the suite injects. Early expiry on a node (a clock fault) and a paused client are
 * the documented limits of Redlock: under them, two holds of one key may overlap within their
 * validity, and only the fenced resource keeps the data safe. Under every other kind, on a
 * minority of the nodes, holds must never overlap.
 */
enum FaultKind {

	/** Packets from every client to one or two nodes dropped: calls hang, nothing is refused. */
	PARTITION_ALL("silent partition (all clients)", false),

	/** Packets from one client to one to three nodes dropped, the other clients unaffected. */
	PARTITION_ONE("silent partition (one client)", false),

	/** A whole client JVM stopped (SIGSTOP) for longer than its lease, then continued. */
	CLIENT_PAUSE("client JVM paused past its lease", true),

	/** A node's wall clock jumps forward, or runs fast for a while: its keys expire early. */
	CLOCK("node clock jumps or runs fast", true),

	/** One or two nodes killed and restarted empty. */
	KILL_RESTART("node killed, restarted empty", false),

	/** One or two nodes frozen by DEBUG SLEEP. */
	DEBUG_SLEEP("node frozen (DEBUG SLEEP)", false);

	private final String description;

	private final boolean mayOverlap;

	FaultKind(String description, boolean mayOverlap) {
		this.description = description;
		this.mayOverlap = mayOverlap;
	}

	String description() {
		return this.description;
	}

	/**
	 * Whether holds may overlap within their validity under this fault.
	 * @return {@code true} for clock faults and client pauses
	 */
	boolean mayOverlap() {
		return this.mayOverlap;
	}

}
