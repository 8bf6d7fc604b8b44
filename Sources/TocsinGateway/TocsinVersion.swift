/// The version `tocsin --version` prints and `/metrics` publishes as `tocsin_build_info`.
public enum TocsinVersion {
    public static let current = "0.1.0"
}
