package dev.redlock.protocol;

import org.junit.jupiter.api.Test;

import dev.redlock.core.InvalidSettingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RedisNodeAddressTests {

	@Test
	void fullUriShouldBeParsed() {
		RedisNodeAddress address = RedisNodeAddress.parse("nodes[0]", "rediss://locker:p%40ss@Redis.example.com:6380/2");
		assertThat(address).isEqualTo(new RedisNodeAddress("Redis.example.com", 6380, "locker", "p@ss", 2, true));
		assertThat(address.name()).isEqualTo("Redis.example.com:6380/2");
		assertThat(address.endpoint()).isEqualTo("redis.example.com:6380/2");
		assertThat(address.toString()).doesNotContain("p@ss");
	}

	@Test
	void defaultsAndIpv6ShouldBeParsed() {
		assertThat(RedisNodeAddress.parse("n", "redis://:secret@[::1]"))
			.isEqualTo(new RedisNodeAddress("::1", 6379, null, "secret", 0, false));
		assertThat(RedisNodeAddress.parse("n", "redis://[::1]:7000").name()).isEqualTo("[::1]:7000");
	}

	@Test
	void malformedUrisShouldBeRejectedWithoutThePassword() {
		for (String uri : new String[] { "http://u:s3cret@h:1", "redis://:s3cret@h:1/x", "redis://:s3cret@h:1?a=b",
				"u:s3cret@h:6379", "redis:/u:s3cret@h", "redis://:s3cret@:6379", "" }) {
			assertThatExceptionOfType(InvalidSettingException.class).as(uri)
				.isThrownBy(() -> RedisNodeAddress.parse("nodes[3]", uri))
				.satisfies((ex) -> {
					assertThat(ex.getMessage()).contains("nodes[3]").doesNotContain("s3cret");
					assertThat(ex.getSetting()).isEqualTo("nodes[3]");
				});
		}
	}

	@Test
	void redactShouldMaskUserInfoWithOrWithoutScheme() {
		assertThat(RedisNodeAddress.redact("redis://user:pw@h:1")).isEqualTo("redis://user:******@h:1");
		assertThat(RedisNodeAddress.redact("redis://pw@h:1")).isEqualTo("redis://******@h:1");
		assertThat(RedisNodeAddress.redact("user:pw@h:1")).isEqualTo("user:******@h:1");
		assertThat(RedisNodeAddress.redact("redis://h:1")).isEqualTo("redis://h:1");
	}

}
