package dev.redlock.core.jedis;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

import dev.redlock.protocol.KeySlots;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client-neutral slot computation agrees with the one Jedis routes cluster commands by.
 */
class KeySlotsTests {

	@Test
	void slotsAgreeWithJedisOnHashTagsAndArbitraryKeys() {
		List<String> keys = List.of("", "a", "foo", "{user1000}.following", "{}x", "x{}y{z}", "{a}{b}", "a{b", "a}b{",
				"lock:{orders}:42", "ü{é}", "日本語キー", "{{nested}}");
		for (String key : keys) {
			assertThat(KeySlots.slot(key)).as(key).isEqualTo(JedisClusterCRC16.getSlot(key));
		}
		Random random = new Random(22);
		for (int i = 0; i < 10_000; i++) {
			StringBuilder key = new StringBuilder();
			int length = random.nextInt(24);
			for (int c = 0; c < length; c++) {
				int pick = random.nextInt(10);
				key.append((pick == 0) ? '{' : (pick == 1) ? '}' : (char) (random.nextInt(0x250) + 0x20));
			}
			assertThat(KeySlots.slot(key.toString())).as(key.toString())
				.isEqualTo(JedisClusterCRC16.getSlot(key.toString()));
		}
	}

	@Test
	void groupsKeysPerSlotInSlotOrderOnlyOnClusters() {
		List<String> keys = List.of("b{x}", "a", "c{x}");
		assertThat(KeySlots.bySlot(false, keys)).containsExactly(keys);
		List<List<String>> groups = KeySlots.bySlot(true, keys);
		assertThat(groups).hasSize(2).anySatisfy((group) -> assertThat(group).containsExactly("b{x}", "c{x}"));
		assertThat(KeySlots.slot(groups.get(0).get(0))).isLessThan(KeySlots.slot(groups.get(1).get(0)));
	}

}
