package org.dpspark.datasets.spec;

import java.util.List;

/**
 * The built-in encoding of UCI Adult with public, hand-fixed bounds (ADULT_FEATURES.md). Vocabularies are copied,
 * in order, from section 7 of adult.names (the dataset's documentation), not collected from the data.
 */
final class AdultSpec {

    private AdultSpec() {
    }

    static final List<String> WORKCLASS = List.of("Private", "Self-emp-not-inc", "Self-emp-inc", "Federal-gov",
            "Local-gov", "State-gov", "Without-pay", "Never-worked");

    static final List<String> EDUCATION = List.of("Bachelors", "Some-college", "11th", "HS-grad", "Prof-school",
            "Assoc-acdm", "Assoc-voc", "9th", "7th-8th", "12th", "Masters", "1st-4th", "10th", "Doctorate",
            "5th-6th", "Preschool");

    static final List<String> MARITAL_STATUS = List.of("Married-civ-spouse", "Divorced", "Never-married",
            "Separated", "Widowed", "Married-spouse-absent", "Married-AF-spouse");

    static final List<String> OCCUPATION = List.of("Tech-support", "Craft-repair", "Other-service", "Sales",
            "Exec-managerial", "Prof-specialty", "Handlers-cleaners", "Machine-op-inspct", "Adm-clerical",
            "Farming-fishing", "Transport-moving", "Priv-house-serv", "Protective-serv", "Armed-Forces");

    static final List<String> RELATIONSHIP = List.of("Wife", "Own-child", "Husband", "Not-in-family",
            "Other-relative", "Unmarried");

    static final List<String> RACE = List.of("White", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other", "Black");

    static final List<String> SEX = List.of("Female", "Male");

    static final List<String> NATIVE_COUNTRY = List.of("United-States", "Cambodia", "England", "Puerto-Rico",
            "Canada", "Germany", "Outlying-US(Guam-USVI-etc)", "India", "Japan", "Greece", "South", "China", "Cuba",
            "Iran", "Honduras", "Philippines", "Italy", "Poland", "Jamaica", "Vietnam", "Mexico", "Portugal",
            "Ireland", "France", "Dominican-Republic", "Laos", "Ecuador", "Taiwan", "Haiti", "Columbia", "Hungary",
            "Guatemala", "Nicaragua", "Scotland", "Thailand", "Yugoslavia", "El-Salvador", "Trinadad&Tobago", "Peru",
            "Hong", "Holand-Netherlands");

    static final FeatureSpec SPEC = new FeatureSpec("adult", List.of(
            NumericFeature.scale("age", 17, 90),
            NumericFeature.scale("education-num", 1, 16),
            NumericFeature.log1p("capital-gain", 0, 99999),
            NumericFeature.log1p("capital-loss", 0, 5000),
            NumericFeature.scale("hours-per-week", 1, 99),
            new OneHotFeature("workclass", WORKCLASS),
            new OneHotFeature("education", EDUCATION),
            new OneHotFeature("marital-status", MARITAL_STATUS),
            new OneHotFeature("occupation", OCCUPATION),
            new OneHotFeature("relationship", RELATIONSHIP),
            new OneHotFeature("race", RACE),
            new OneHotFeature("sex", SEX),
            new OneHotFeature("native-country", NATIVE_COUNTRY)),
            LabelSpec.mapped("income", List.of(">50K"), List.of("<=50K"), true));
}
