package dev.redlock.core.jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Groups the keys of one lock so that each group can go to one script: every key at once on a
 * standalone or Sentinel member; per hash slot, in slot order, on a cluster (so two multi-key
 * locks always take shared slots in the same order and cannot deadlock).
 */
final class ClusterSlots {

	private ClusterSlots() {
	}

	static List<List<String>> bySlot(boolean cluster, List<String> keys) {
		if (!cluster || keys.size() == 1) {
			return List.of(keys);
		}
		Map<Integer, List<String>> slots = new TreeMap<>();
		for (String key : keys) {
			slots.computeIfAbsent(JedisClusterCRC16.getSlot(key), (slot) -> new ArrayList<>()).add(key);
		}
		return new ArrayList<>(slots.values());
	}

}
