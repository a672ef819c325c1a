package dev.redlock.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Redis Cluster hash slots, and the keys of one lock grouped so that each group can go to one
 * script: every key at once on a standalone or Sentinel member; per hash slot, in slot order, on a
 * cluster (so two multi-key locks always take shared slots in the same order and cannot deadlock).
 */
public final class KeySlots {

	/** How many hash slots a Redis Cluster has. */
	public static final int SLOTS = 16384;

	private KeySlots() {
	}

	/**
	 * The hash slot of a key: CRC16 (XMODEM) of its UTF-8 bytes, or of its hash tag (the text
	 * between the first {@code {} and the next {@code }}, if not empty), modulo {@link #SLOTS}.
	 * @param key the key
	 * @return the slot, 0 to 16383
	 */
	public static int slot(String key) {
		byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
		int start = 0;
		int end = bytes.length;
		int open = indexOf(bytes, (byte) '{', 0);
		if (open >= 0) {
			int close = indexOf(bytes, (byte) '}', open + 1);
			if (close > open + 1) {
				start = open + 1;
				end = close;
			}
		}
		return crc16(bytes, start, end) % SLOTS;
	}

	/**
	 * The keys of one lock in the groups a driver sends each in one script.
	 * @param cluster whether the member is a Redis Cluster
	 * @param keys the keys
	 * @return all keys as one group, or on a cluster one group per slot in slot order
	 */
	public static List<List<String>> bySlot(boolean cluster, List<String> keys) {
		if (!cluster || keys.size() == 1) {
			return List.of(keys);
		}
		Map<Integer, List<String>> slots = new TreeMap<>();
		for (String key : keys) {
			slots.computeIfAbsent(slot(key), (slot) -> new ArrayList<>()).add(key);
		}
		return new ArrayList<>(slots.values());
	}

	private static int indexOf(byte[] bytes, byte wanted, int from) {
		for (int i = from; i < bytes.length; i++) {
			if (bytes[i] == wanted) {
				return i;
			}
		}
		return -1;
	}

	/** CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection. */
	private static int crc16(byte[] bytes, int start, int end) {
		int crc = 0;
		for (int i = start; i < end; i++) {
			crc ^= (bytes[i] & 0xFF) << 8;
			for (int bit = 0; bit < 8; bit++) {
				crc = ((crc & 0x8000) != 0) ? ((crc << 1) ^ 0x1021) : (crc << 1);
			}
		}
		return crc & 0xFFFF;
	}

}
