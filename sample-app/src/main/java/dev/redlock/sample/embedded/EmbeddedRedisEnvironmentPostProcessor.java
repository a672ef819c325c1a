package dev.redlock.sample.embedded;

import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives the sample Redis nodes of its own when {@code redlock.nodes} is not set: starts
 * {@code sample.embedded-redis.nodes} (default 5) real {@code redis-server} processes on free
 * loopback ports, sets {@code redlock.nodes} to them, registers them as the
 * {@link EmbeddedRedisNodes} bean and stops them when the application context closes.
 *
 * <p>The restart guard stays at its default: nodes that were never armed (just started) count at
 * once, and a node the demo kills and restarts empty is held out of the quorum, as in production.
 *
 * <p>The servers come from {@code redis-server} on the {@code PATH}, else from the binary shipped
 * in the {@code embedded-redis} jar, so a machine with only a JDK can run the sample. This is a
 * development convenience of the sample, not of the starter: set {@code redlock.nodes} to use
 * your own servers, or {@code sample.embedded-redis.enabled=false} to start none.
 */
public class EmbeddedRedisEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** The name of the property source that carries {@code redlock.nodes}. */
	public static final String PROPERTY_SOURCE_NAME = "sampleEmbeddedRedisNodes";

	private final Log logger;

	/**
	 * Creates the post-processor; Spring Boot calls it once per application start.
	 * @param logFactory logs that are written once logging is set up
	 */
	public EmbeddedRedisEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(EmbeddedRedisEnvironmentPostProcessor.class);
	}

	@Override
	public int getOrder() {
		// after application.properties and the command line have been read
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getProperty("redlock.enabled", Boolean.class, true)
				|| !environment.getProperty("sample.embedded-redis.enabled", Boolean.class, true)) {
			return;
		}
		List<String> configured = Binder.get(environment)
			.bind("redlock.nodes", Bindable.listOf(String.class))
			.orElse(List.of())
			.stream()
			.filter((uri) -> !uri.isBlank())
			.toList();
		if (!configured.isEmpty()) {
			this.logger.info("Using the Redis nodes of redlock.nodes: " + configured.size() + " node(s)");
			return;
		}
		int count = environment.getProperty("sample.embedded-redis.nodes", Integer.class, 5);
		if (count < 1) {
			throw new IllegalStateException("sample.embedded-redis.nodes must be at least 1, but was " + count
					+ "; set redlock.nodes or sample.embedded-redis.enabled=false to start none");
		}
		EmbeddedRedisNodes nodes = EmbeddedRedisNodes.start(count);
		// last: whatever the user set explicitly wins
		environment.getPropertySources()
			.addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, Map.of("redlock.nodes", String.join(",", nodes.uris()))));
		application.addInitializers(new Registrar(nodes));
		this.logger.info("redlock.nodes is not set: started " + nodes.describe()
				+ ". Set redlock.nodes to use your own Redis masters.");
	}

	/**
	 * Hands the started nodes to the application context, which stops them when it closes, after
	 * the beans that use them are gone.
	 */
	static final class Registrar implements ApplicationContextInitializer<ConfigurableApplicationContext> {

		private final EmbeddedRedisNodes nodes;

		Registrar(EmbeddedRedisNodes nodes) {
			this.nodes = nodes;
		}

		@Override
		public void initialize(ConfigurableApplicationContext context) {
			ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
			beanFactory.registerSingleton(EmbeddedRedisNodes.BEAN_NAME, this.nodes);
			if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
				// registered first, so destroyed last: the lock engine and the scheduler stop before the nodes
				registry.registerDisposableBean(EmbeddedRedisNodes.BEAN_NAME, this.nodes::close);
			}
			else {
				context.addApplicationListener((event) -> {
					if (event instanceof ContextClosedEvent) {
						this.nodes.close();
					}
				});
			}
		}

	}

}
