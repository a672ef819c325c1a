package dev.redlock.autoconfigure;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.redlock.core.Redlock;

/**
 * Auto-configuration of Redlock metrics, active when Micrometer is present and a
 * {@link MeterRegistry} bean exists.
 */
@AutoConfiguration(before = RedlockAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
				"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, ObservationRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
public final class RedlockMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MicrometerLockObserver redlockLockObserver(ObjectProvider<ObservationRegistry> observations,
			MeterRegistry meters) {
		ObservationRegistry registry = observations.getIfAvailable(() -> {
			ObservationRegistry own = ObservationRegistry.create();
			own.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
			return own;
		});
		return new MicrometerLockObserver(registry, meters);
	}

	@Bean
	MeterBinder redlockHeldLocksGauge(ObjectProvider<Redlock> redlock) {
		return (registry) -> redlock.ifAvailable((engine) -> Gauge
			.builder("redlock.locks.held", engine, (e) -> e.heldLocks().size())
			.description("Locks held by this instance")
			.register(registry));
	}

}
