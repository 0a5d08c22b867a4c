package io.apicurio.common.apps.config;

/**
 * The categories Apicurio Registry 3.0.9 files its configuration properties under (in the
 * annotation {@link Info}). Its own module that declares them (apicurio-registry-config-definitions
 * 3.0.9) is not published where kafka-lab builds from; the 3.0.6 module used instead predates
 * this enum. Constant names must match the ones the 3.0.9 classes refer to.
 */
public enum ConfigPropertyCategory {
    CATEGORY_API, CATEGORY_AUTH, CATEGORY_CACHE, CATEGORY_CCOMPAT, CATEGORY_DOWNLOAD, CATEGORY_GITOPS,
    CATEGORY_HEALTH, CATEGORY_HIDDEN, CATEGORY_IMPORT, CATEGORY_LIMITS, CATEGORY_REDIRECTS, CATEGORY_REST,
    CATEGORY_SEMVER, CATEGORY_STORAGE, CATEGORY_SYSTEM, CATEGORY_UI;

    /** The lower-case name after the prefix, e.g. "ccompat". */
    public String getRawValue() {
        return name().substring("CATEGORY_".length()).toLowerCase(java.util.Locale.ROOT);
    }
}
