package dev.redlock;

import java.util.List;

/**
 * Thrown when a distributed lock could not be acquired on a quorum of nodes within the wait time.
 * The message names the key, how many nodes agreed, the quorum needed and each node's answer to
 * the last attempt.
 */
public class LockNotAcquiredException extends RuntimeException {

	/** The full lock key. */
	private final String key;

	/** How many nodes granted the last attempt. */
	private final int acquiredNodes;

	/** The number of nodes needed. */
	private final int quorum;

	/** How many attempts were made within the wait time. */
	private final int attempts;

	private final transient List<NodeOutcome> nodeOutcomes;

	/**
	 * Creates an exception that describes the last acquisition attempt.
	 * @param key the full lock key
	 * @param quorum the number of nodes needed
	 * @param attempts how many attempts were made within the wait time
	 * @param reason why the last attempt failed, as one phrase
	 * @param nodeOutcomes each node's answer to the last attempt
	 * @param cause the cause, such as an {@link InterruptedException}, or {@code null}
	 */
	public LockNotAcquiredException(String key, int quorum, int attempts, String reason,
			List<NodeOutcome> nodeOutcomes, Throwable cause) {
		super(message(key, quorum, attempts, reason, nodeOutcomes), cause);
		this.key = key;
		this.quorum = quorum;
		this.attempts = attempts;
		this.nodeOutcomes = List.copyOf(nodeOutcomes);
		this.acquiredNodes = countAcquired(nodeOutcomes);
	}

	private static int countAcquired(List<NodeOutcome> outcomes) {
		return (int) outcomes.stream().filter((o) -> o.status() == NodeOutcome.Status.ACQUIRED).count();
	}

	private static String message(String key, int quorum, int attempts, String reason, List<NodeOutcome> outcomes) {
		return "Lock '" + key + "' not acquired after " + attempts + " attempt" + ((attempts != 1) ? "s" : "") + ": "
				+ reason + "; " + countAcquired(outcomes) + " of " + outcomes.size() + " nodes agreed, quorum is "
				+ quorum + ". Nodes: " + outcomes;
	}

	/**
	 * The full lock key.
	 * @return the key
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * How many nodes granted the lock in the last attempt.
	 * @return the count of {@link NodeOutcome.Status#ACQUIRED} nodes
	 */
	public int getAcquiredNodes() {
		return this.acquiredNodes;
	}

	/**
	 * The number of nodes a lock needs.
	 * @return the quorum, {@code N/2+1}
	 */
	public int getQuorum() {
		return this.quorum;
	}

	/**
	 * How many attempts were made before giving up.
	 * @return the attempt count, at least 1
	 */
	public int getAttempts() {
		return this.attempts;
	}

	/**
	 * Each node's answer to the last attempt, in configuration order.
	 * @return the outcomes
	 */
	public List<NodeOutcome> getNodeOutcomes() {
		return this.nodeOutcomes;
	}

}
