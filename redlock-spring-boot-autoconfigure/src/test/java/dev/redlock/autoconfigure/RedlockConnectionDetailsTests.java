package dev.redlock.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RedlockConnectionDetailsTests {

	@Test
	void ofShouldKeepACopyOfTheNodes() {
		List<String> nodes = new ArrayList<>(List.of("redis://127.0.0.1:7001", "redis://127.0.0.1:7002"));
		RedlockConnectionDetails details = RedlockConnectionDetails.of(nodes);
		nodes.add("redis://127.0.0.1:7003");
		assertThat(details.getNodes()).containsExactly("redis://127.0.0.1:7001", "redis://127.0.0.1:7002");
		assertThat(details.getSslBundle()).isNull();
	}

	@Test
	void nullEntryShouldBeRejectedByIndex() {
		assertThatIllegalArgumentException().isThrownBy(() -> RedlockConnectionDetails.of("redis://a:1", null))
			.withMessage("RedlockConnectionDetails.of(nodes): nodes[1] is null");
		assertThatIllegalArgumentException().isThrownBy(() -> RedlockConnectionDetails.of((List<String>) null))
			.withMessage("RedlockConnectionDetails.of(nodes): nodes is null");
	}

}
