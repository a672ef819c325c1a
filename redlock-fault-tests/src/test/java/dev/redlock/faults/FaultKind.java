package dev.redlock.faults;

/**
 * The faults the suite injects. Early expiry on a node (a clock fault) is the documented limit of
 * Redlock: under it, two holds of one key may overlap within their validity, and only the fenced
 * resource keeps the data safe. A paused client wakes up past its validity (measured on its own
 * monotonic clock) and writes late: the resource must refuse it, but its holds must not overlap
 * another's within their validity. Under every kind but clock faults, on a minority of the nodes,
 * holds must never overlap.
 */
enum FaultKind {

	/** Packets from every client to one or two nodes dropped: calls hang, nothing is refused. */
	PARTITION_ALL("silent partition (all clients)", false),

	/** Packets from one client to one to three nodes dropped, the other clients unaffected. */
	PARTITION_ONE("silent partition (one client)", false),

	/** A whole client JVM stopped (SIGSTOP) for longer than its lease, then continued. */
	CLIENT_PAUSE("client JVM paused past its lease", false),

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
	 * @return {@code true} for clock faults
	 */
	boolean mayOverlap() {
		return this.mayOverlap;
	}

}
