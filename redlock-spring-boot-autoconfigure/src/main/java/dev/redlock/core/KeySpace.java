package dev.redlock.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Where the engine keeps things in Redis: the key of each lock (prefix, hashing of long keys,
 * hash tags on cluster members), the keys beside it (fencing counter), the engine's own keys
 * (arming marker, ticket and registry, probe canaries) and the release channel; and the tokens
 * that tell owners apart.
 */
final class KeySpace {

	private static final SecureRandom RANDOM = new SecureRandom();

	/** Lock keys longer than this many bytes (UTF-8) are stored as their SHA-256. */
	static final int MAX_KEY_BYTES = 512;

	/** Appended to a lock's key to name its fencing counter. */
	static final String FENCING_SUFFIX = ":fencing";

	/** The start (after the prefix) of every key the engine keeps for itself. */
	static final String RESERVED = "__redlock_";

	/** The marker (after the prefix) that arms a node: it grants locks only while it exists. */
	static final String ARMED_MARKER = RESERVED + "armed__";

	/** The ticket (after the prefix) that arming a node sets first. */
	static final String ARMING_TICKET = RESERVED + "arming__";

	/** The prefix (after the key prefix) of the registry of armed node incarnations. */
	static final String REGISTRY_PREFIX = RESERVED + "registry__:";

	/** The channel (after the prefix) on which releases of held locks are announced. */
	static final String RELEASE_CHANNEL_SUFFIX = RESERVED + "released__";

	/** The key (after the prefix) of the canary lock that probes set and delete. */
	static final String CANARY_KEY_SUFFIX = RESERVED + "probe__";

	private final String prefix;

	private final boolean hashTags;

	/**
	 * @param prefix the key prefix
	 * @param hashTags whether keys are hash-tagged (any member is a cluster)
	 */
	KeySpace(String prefix, boolean hashTags) {
		this.prefix = prefix;
		this.hashTags = hashTags;
	}

	String prefix() {
		return this.prefix;
	}

	/**
	 * The Redis key of a lock key: the key prefix and the key, or, for a key longer than
	 * {@link #MAX_KEY_BYTES} bytes in UTF-8, the prefix and {@code sha256:} with the key's SHA-256
	 * in hex, so that any key, however long, is a short, fixed-size Redis key; hash-tagged
	 * ({@code {key}}) when any member is a cluster, so that the key and its counter share a slot.
	 * @param key the lock key
	 * @return the full Redis key
	 * @throws IllegalArgumentException if the key ends like a fencing counter
	 */
	String fullKey(String key) {
		if (key.endsWith(FENCING_SUFFIX)) {
			throw new IllegalArgumentException("Lock key '" + key + "' ends with '" + FENCING_SUFFIX
					+ "', which names fencing counters; choose another key");
		}
		byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
		String stored = key;
		if (bytes.length > MAX_KEY_BYTES) {
			try {
				stored = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException("SHA-256 is required by the Java platform", ex);
			}
		}
		return this.prefix + (this.hashTags ? "{" + stored + "}" : stored);
	}

	List<String> fullKeys(List<String> keys) {
		return keys.stream().map(this::fullKey).toList();
	}

	/** The fencing counter of a lock's full key. */
	static String counterKey(String fullKey) {
		return fullKey + FENCING_SUFFIX;
	}

	ArmableNode.Keys armingKeys() {
		return new ArmableNode.Keys(this.prefix + ARMED_MARKER, this.prefix + ARMING_TICKET,
				this.prefix + REGISTRY_PREFIX);
	}

	String releaseChannel() {
		return this.prefix + RELEASE_CHANNEL_SUFFIX;
	}

	/** A canary key of its own for one probe round. */
	String canaryKey() {
		return this.prefix + CANARY_KEY_SUFFIX + ":" + newToken();
	}

	/** A fresh 128-bit random token, in hex: one per attempt, so a late release of one attempt never deletes a later one's key. */
	static String newToken() {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
