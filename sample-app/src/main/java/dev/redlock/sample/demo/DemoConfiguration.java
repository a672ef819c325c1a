package dev.redlock.sample.demo;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.autoconfigure.RedlockProperties;
import dev.redlock.sample.embedded.EmbeddedRedisNodes;

/**
 * Registers the start-up demo unless {@code sample.demo.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "sample.demo.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DemoProperties.class)
public class DemoConfiguration {

	@Bean
	PaymentDemo paymentDemo(DemoProperties properties, RedlockProperties redlock,
			ObjectProvider<EmbeddedRedisNodes> embeddedNodes) {
		return new PaymentDemo(properties, redlock, embeddedNodes.getIfAvailable());
	}

}
