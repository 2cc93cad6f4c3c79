package org.dpspark.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** dp-core's structure, as drawn in ARCHITECTURE.md: plain Java math, no package cycles, nothing of Spark or Hadoop. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.dpspark.core");
    }

    @Test
    void packages_areFreeOfCycles() {
        slices().matching("org.dpspark.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noClass_dependsOnSparkOrHadoop() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..",
                "scala..")
                .because("the DP math is plain Java, unit-tested in milliseconds and audited against the papers")
                .check(classes);
    }
}
