package dev.redlock;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One application instance for tests that run several: its own Spring context, with its own
 * Redlock engine and connection pools, on the nodes it is given.
 */
public final class AppInstance {

	private AppInstance() {
	}

	/**
	 * Starts an instance.
	 * @param config the instance's configuration (it imports the auto-configurations it needs)
	 * @param nodeUris the Redis nodes, for {@code redlock.nodes}
	 * @param properties further properties, {@code name=value}
	 * @return the running context; close it to stop the instance
	 */
	public static ConfigurableApplicationContext start(Class<?> config, List<String> nodeUris, String... properties) {
		List<String> all = new ArrayList<>();
		all.add("redlock.nodes=" + String.join(",", nodeUris));
		// the fixture's nodes were just started and hold no lock
		all.add("redlock.restart-guard.enabled=false");
		all.add("spring.main.banner-mode=off");
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(config).web(WebApplicationType.NONE)
			.properties(all.toArray(String[]::new))
			.run();
	}

}
