package dev.redlock.core;

import java.util.List;

/**
 * A fake node for unit tests of decision logic: says yes to every lock command and holds nothing;
 * a test overrides what it needs.
 */
interface AgreeingNode extends LockNode {

	@Override
	default boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
		return true;
	}

	@Override
	default boolean release(List<String> keys, String token) {
		return true;
	}

	@Override
	default boolean extend(List<String> keys, String token, long ttlMillis) {
		return true;
	}

	@Override
	default void close() {
	}

}
