package dev.redlock.core;

import java.time.Duration;
import java.time.Instant;

/**
 * A lock held by this process, as seen at one moment. Carries no token.
 *
 * @param name the lock's name (metrics)
 * @param key the full Redis key
 * @param owner who took it: the thread that acquired it
 * @param acquiredAt when it was acquired
 * @param heldFor how long it has been held
 * @param remaining the validity left
 */
public record HeldLock(String name, String key, String owner, Instant acquiredAt, Duration heldFor,
		Duration remaining) {
}
