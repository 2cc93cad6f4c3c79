package org.dpspark.accountant;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.dpspark.accountant.tuning.TrialCount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The accountant module's structure, as drawn in ARCHITECTURE.md: packages by concept with no cycles, the root
 * package holding only API types, and no Spark (the ledger's Hadoop FileSystem API is allowed).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    /** {@link TrialCount}, its nested types (its Kind) and arrays of them. */
    private static final DescribedPredicate<JavaClass> TRIAL_COUNT = DescribedPredicate.describe(
            "TrialCount or its nested types", c -> {
                String name = (c.isArray() ? c.getBaseComponentType() : c).getName();
                return name.equals(TrialCount.class.getName()) || name.startsWith(TrialCount.class.getName() + "$");
            });

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.dpspark.accountant");
    }

    /**
     * One exception: {@link TrialCount}, the distribution of a hyperparameter search's number of trials, lives in the
     * tuning package (its public home) but is a value type of {@link DpEvent.Selection}; it depends on no dpspark
     * class ({@link #trialCount_dependsOnNoDpsparkClass}), so a dependency on it can close no cycle and is ignored.
     */
    @Test
    void packages_areFreeOfCycles() {
        slices().matching("org.dpspark.(**)").should().beFreeOfCycles()
                .ignoreDependency(DescribedPredicate.alwaysTrue(), TRIAL_COUNT).check(classes);
    }

    @Test
    void trialCount_dependsOnNoDpsparkClass() {
        noClasses().that(TRIAL_COUNT).should().dependOnClassesThat(
                resideInAPackage("org.dpspark..").and(not(TRIAL_COUNT)))
                .because("other packages' dependencies on it are exempt from the cycle and root-package rules")
                .check(classes);
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
                resideInAPackage("org.dpspark.accountant..").and(not(resideInAPackage("org.dpspark.accountant")))
                        .and(not(TRIAL_COUNT)))
                .because("the root package holds the API types every subpackage uses (TrialCount excepted: see "
                        + "packages_areFreeOfCycles)")
                .check(classes);
    }
}
