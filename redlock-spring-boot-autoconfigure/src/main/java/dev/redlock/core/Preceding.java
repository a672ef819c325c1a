package dev.redlock.core;

import java.util.concurrent.CompletableFuture;

/**
 * The calls a new round must follow, per node: a node's new call starts only after its earlier
 * ones ended, so a lock's commands reach each node in the order they were decided (a release never
 * overtakes its acquisition, nor an extension still on its way), and is not sent at all where the
 * lock's key was never set.
 */
interface Preceding {

	/**
	 * Done once every earlier call on node {@code index} has ended.
	 * @param index the node
	 * @return the future to wait for
	 */
	CompletableFuture<?> tail(int index);

	/**
	 * Whether node {@code index} may hold the key, so that a new call there makes sense; asked once
	 * {@link #tail} is done.
	 * @param index the node
	 * @return {@code false} if the acquisition was never sent there or the node refused it
	 */
	boolean needed(int index);

}
