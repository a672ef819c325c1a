package dev.redlock.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class ArchitectureTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.redlock");

	@Test
	void engineShouldNotDependOnSpring() {
		noClasses().that()
			.resideInAPackage("dev.redlock.core..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework..")
			.check(this.classes);
	}

	@Test
	void publicApiShouldNotDependOnSpring() {
		noClasses().that()
			.resideInAPackage("dev.redlock")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework..")
			.check(this.classes);
	}

	@Test
	void engineShouldNotDependOnTheSpringLayers() {
		noClasses().that()
			.resideInAPackage("dev.redlock.core..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.redlock.aop..", "dev.redlock.autoconfigure..")
			.check(this.classes);
	}

	@Test
	void onlyTheJedisPackageShouldKnowJedis() {
		noClasses().that()
			.resideInAPackage("dev.redlock.core..")
			.and()
			.resideOutsideOfPackage("dev.redlock.core.jedis..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("redis.clients..")
			.check(this.classes);
	}

	@Test
	void jedisInternalsShouldBeTouchedInOneInternalPackageOnly() {
		noClasses().that()
			.resideOutsideOfPackage("dev.redlock.core.jedis.internal..")
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("redis.clients.jedis.JedisSocketFactory")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("redis.clients.jedis.DefaultJedisSocketFactory")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("redis.clients.jedis.Protocol")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("redis.clients.jedis.Protocol$Command")
			.orShould()
			.dependOnClassesThat()
			.resideInAPackage("org.apache.commons.pool2..")
			.orShould()
			.beAssignableTo("redis.clients.jedis.Connection")
			.check(this.classes);
	}

}
