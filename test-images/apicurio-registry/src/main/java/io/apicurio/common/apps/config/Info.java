package io.apicurio.common.apps.config;

import jakarta.enterprise.util.Nonbinding;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documentation metadata on Apicurio's configuration properties, with the member types of
 * Apicurio Registry 3.0.9 (category is an enum there, a String in the 3.0.6 module this image
 * otherwise uses). Nothing reads it at run time; it must only agree with the class files.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface Info {
    @Nonbinding ConfigPropertyCategory category();
    @Nonbinding String description() default "";
    @Nonbinding String availableSince() default "";
    @Nonbinding String registryAvailableSince() default "";
    @Nonbinding String studioAvailableSince() default "";
    @Nonbinding String[] seeAlso() default {};
    @Nonbinding String[] dependsOn() default {};
}
