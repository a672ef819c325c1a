package dev.redlock.core;

/**
 * A command sent to a node whose answer has not been read yet ({@link NodeExchange}). It holds a
 * connection until {@link #finish()} has run, which must happen exactly once, on one thread at a
 * time.
 */
public interface Exchange {

	/**
	 * Whether the answer has begun to arrive, so that {@link #finish()} would not wait for the
	 * node.
	 * @return {@code true} if it has
	 */
	boolean isAnswered();

	/**
	 * Waits until the answer begins to arrive, without reading it.
	 * @param timeoutNanos the longest wait (implementations may round it up to a millisecond)
	 * @return {@code true} if it has, {@code false} if the time ran out first
	 */
	boolean awaitAnswer(long timeoutNanos);

	/**
	 * Reads the answer, waiting for it at most the node timeout, and gives the connection back.
	 * @return what the blocking method would have returned
	 * @throws NodeFailure what the blocking method would have thrown
	 */
	boolean finish();

}
