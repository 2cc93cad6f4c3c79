package org.dpspark.accountant;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The accountant module's structure, as drawn in ARCHITECTURE.md: packages by concept with no cycles, the root
 * package holding only API types, and no Spark (the ledger's Hadoop FileSystem API is allowed).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.dpspark.accountant");
    }

    @Test
    void packages_areFreeOfCycles() {
        slices().matching("org.dpspark.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noClass_dependsOnSpark() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "scala..")
                .because("the accountant is plain Java, audited against the papers without Spark")
                .check(classes);
    }

    @Test
    void rootPackage_importsNoSubpackage() {
        noClasses().that().resideInAPackage("org.dpspark.accountant").should().dependOnClassesThat(
                resideInAPackage("org.dpspark.accountant..").and(not(resideInAPackage("org.dpspark.accountant"))))
                .because("the root package holds the API types every subpackage uses (TrialCount among them: a "
                        + "selection event's trial count)")
                .check(classes);
    }
}
