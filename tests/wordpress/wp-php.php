<?php
/* Helper of wp-php: php wp-php.php STATE_DIR 'PHP code' */
require __DIR__ . '/bootstrap.php';

$wpt_code = isset($argv[2]) ? $argv[2] : '';
$wpt_code = preg_replace('/^\s*<\?php\b/', '', $wpt_code);
$wpt_result = eval($wpt_code . "\n;");

if (is_wp_error($wpt_result)) {
    fwrite(STDERR, 'WP_Error: ' . implode('; ', $wpt_result->get_error_messages()) . "\n");
    exit(1);
}
if ($wpt_result !== null) {
    if (is_scalar($wpt_result)) {
        echo is_bool($wpt_result) ? ($wpt_result ? 'true' : 'false') : $wpt_result, "\n";
    } else {
        echo wp_json_encode($wpt_result, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
    }
}
