package dev.redlock.autoconfigure;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotationMetadata;

import dev.redlock.LockTemplate;
import dev.redlock.aop.DistributedLockAdvisor;
import dev.redlock.aop.DistributedLockInterceptor;
import dev.redlock.aop.LockOperationSource;
import dev.redlock.core.LockObserver;
import dev.redlock.core.Redlock;

/**
 * Auto-configuration of Redlock distributed locks: the engine over the nodes of a
 * {@link RedlockConnectionDetails} bean, else of {@code redlock.nodes}, else of Spring Boot's Redis
 * connection (one node), each made by a {@link LockNodeFactory} (Jedis unless the application
 * defines its own), a {@link LockTemplate}, and the advisor behind
 * {@link dev.redlock.DistributedLock @DistributedLock}. Each bean backs off when the application
 * defines its own. {@code redlock.enabled=false} is read when the application starts, not when it
 * is built (so it works the same in Spring AOT mode): the beans stay and the engine takes no
 * locks. With locking on, a missing or too old Jedis stops the startup, as does any
 * {@code @DistributedLock} that is invalid or that no proxy applies to
 * ({@link DistributedLockStartupCheck}).
 */
@AutoConfiguration(afterName = { "org.springframework.boot.autoconfigure.aop.AopAutoConfiguration",
		"org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration" })
@EnableConfigurationProperties(RedlockProperties.class)
@Import({ JedisNodeFactoryConfiguration.class, RedlockAutoConfiguration.AutoProxyRegistrar.class })
public final class RedlockAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	Redlock redlock(RedlockProperties properties, ObjectProvider<RedlockConnectionDetails> connectionDetails,
			ObjectProvider<LockNodeFactory> nodeFactory, ObjectProvider<LockObserver> observers,
			ObjectProvider<SslBundles> sslBundles, ListableBeanFactory beanFactory, ResourceLoader resourceLoader) {
		if (!properties.isEnabled()) {
			return DisabledLocking.engine(properties);
		}
		LockNodeFactory factory = nodeFactory.getIfAvailable();
		if (factory == null) {
			// the default factory is Jedis's, there only with Jedis 7: name the Jedis found, if any
			JedisAvailability.require(resourceLoader.getClassLoader());
			throw new RedlockStartupException("no LockNodeFactory bean makes the Redlock nodes",
					"Define a LockNodeFactory bean, or let the auto-configuration define its Jedis one.", null);
		}
		QuorumMembers members = NodeSource.resolve(properties, connectionDetails.getIfAvailable(), beanFactory,
				sslBundles.getIfAvailable());
		return RedlockEngineFactory.create(properties, members, factory, observers.orderedStream().toList());
	}

	@Bean
	DistributedLockStartupCheck redlockStartupCheck(ConfigurableListableBeanFactory beanFactory) {
		return new DistributedLockStartupCheck(beanFactory);
	}

	@Bean
	LockLostEventPublisher redlockLockLostEventPublisher(ApplicationEventPublisher publisher) {
		return new LockLostEventPublisher(publisher);
	}

	@Bean
	@ConditionalOnMissingBean
	LockTemplate lockTemplate(Redlock redlock) {
		return new LockTemplate(redlock);
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static DistributedLockAdvisor distributedLockAdvisor(Environment environment,
			ObjectProvider<LockTemplate> lockTemplate, BeanFactory beanFactory) {
		RedlockProperties properties = Binder.get(environment)
			.bindOrCreate("redlock", RedlockProperties.class);
		LockOperationSource operations = new LockOperationSource(placeholders(beanFactory, environment),
				properties.getLeaseTime(), properties.getWaitTime(), properties.getOnNotAcquired());
		DistributedLockInterceptor interceptor = new DistributedLockInterceptor(operations, lockTemplate::getObject,
				beanFactory);
		return new DistributedLockAdvisor(operations, interceptor, properties.getAdvisorOrder());
	}

	private static java.util.function.Function<String, String> placeholders(BeanFactory beanFactory,
			Environment environment) {
		if (beanFactory instanceof ConfigurableBeanFactory configurable) {
			return configurable::resolveEmbeddedValue;
		}
		return environment::resolveRequiredPlaceholders;
	}

	/**
	 * Makes sure an auto-proxy creator exists even when Spring Boot's AOP auto-configuration is
	 * switched off ({@code spring.aop.auto=false}); an existing, more capable one is kept.
	 */
	static final class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar {

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
		}

	}

}
