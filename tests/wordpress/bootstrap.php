<?php
/*
 * Loads the WordPress install living in STATE_DIR (argv[1]) into a php-cli
 * process.  Used by install.php, seed.php and wp-php.
 *
 *   require __DIR__ . '/bootstrap.php';   // then WordPress is loaded
 *
 * Define WPT_NO_LOAD before requiring to only get wpt_state()/wpt_port()
 * (install.php needs to define WP_INSTALLING and plug functions first).
 */
if (PHP_SAPI !== 'cli') {
    exit("cli only\n");
}
if (!isset($argv[1]) || !is_dir($argv[1] . '/www')) {
    fwrite(STDERR, "usage: php " . basename($argv[0]) . " STATE_DIR ...  (no STATE_DIR/www)\n");
    exit(2);
}

$GLOBALS['wpt_state'] = rtrim(realpath($argv[1]), '/');
$GLOBALS['wpt_port']  = (int) trim((string) @file_get_contents($GLOBALS['wpt_state'] . '/port'));
if ($GLOBALS['wpt_port'] <= 0) {
    fwrite(STDERR, "no port recorded in {$GLOBALS['wpt_state']}/port\n");
    exit(2);
}

function wpt_state() { return $GLOBALS['wpt_state']; }
function wpt_port()  { return $GLOBALS['wpt_port']; }

// Pretend to be a request to the site so that code reading $_SERVER is happy.
$_SERVER['HTTP_HOST']       = '127.0.0.1:' . wpt_port();
$_SERVER['SERVER_NAME']     = '127.0.0.1';
$_SERVER['SERVER_PORT']     = (string) wpt_port();
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
unset($_SERVER['HTTPS']);

// ABSPATH must be STATE_DIR/www/ (not the symlink target) so that wp-load.php
// reads our wp-config.php and not Debian's.
define('ABSPATH', wpt_state() . '/www/');
// Let PHP report fatals itself (to stderr, exit status 255) instead of
// WordPress's "There has been a critical error" HTML page.
define('WP_DISABLE_FATAL_ERROR_HANDLER', true);

// wp_die() in a CLI script: message to stderr, exit 1 (the default handler
// prints HTML and exits 0).  Pre-initialised hook, picked up by plugin.php.
function wpt_die_handler($message, $title = '', $args = array()) {
    if (is_wp_error($message)) {
        $message = $message->get_error_message();
    }
    fwrite(STDERR, 'wp_die: ' . trim(strip_tags((string) $title . ' ' . (string) $message)) . "\n");
    exit(1);
}
function wpt_get_die_handler() { return 'wpt_die_handler'; }
foreach (array('wp_die_handler', 'wp_die_json_handler', 'wp_die_jsonp_handler', 'wp_die_xml_handler', 'wp_die_ajax_handler') as $wpt_hook) {
    $GLOBALS['wp_filter'][$wpt_hook][PHP_INT_MAX][] = array('function' => 'wpt_get_die_handler', 'accepted_args' => 1);
}

if (!defined('WPT_NO_LOAD')) {
    require ABSPATH . 'wp-load.php';
    wpt_become_admin();
}

/* Act as the administrator (user 1): capability checks pass and kses does
 * not filter post content/titles (iframes, "<3" etc. are stored verbatim),
 * i.e. the same as an admin editing in wp-admin. */
function wpt_become_admin() {
    $admins = get_users(array('role' => 'administrator', 'number' => 1, 'orderby' => 'ID', 'fields' => 'ID'));
    if ($admins) {
        wp_set_current_user((int) $admins[0]);
    }
    kses_remove_filters();
}
