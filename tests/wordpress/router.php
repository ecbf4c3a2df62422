<?php
/*
 * Router for PHP's built-in web server (`php -S ... router.php`), copied by
 * wp-up into STATE_DIR/www/.  It plays the role of Apache + WordPress's
 * .htaccess:
 *   - existing files (static assets, uploads, wp-login.php, wp-admin/*.php)
 *     are served/executed by the built-in server itself;
 *   - everything else (pretty permalinks, /wp-json/..., feeds, /) is handed
 *     to index.php exactly like mod_rewrite would (SCRIPT_NAME=/index.php,
 *     no PATH_INFO, untouched REQUEST_URI).
 *
 * STATE_DIR/www is mostly symlinks into /usr/share/wordpress, and PHP resolves
 * symlinks in __DIR__/__FILE__.  wp-load.php would therefore compute
 * ABSPATH=/usr/share/wordpress/ and load Debian's wp-config.php (which wants
 * /etc/wordpress/config-HOST.php).  Defining ABSPATH here, before WordPress
 * runs, makes wp-load.php pick up OUR wp-config.php.  Constants defined in
 * the router survive into the script the server runs when we `return false`
 * (same request).
 */
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}

$root = __DIR__;
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$path = rawurldecode(is_string($path) ? $path : '/');

if ($path !== '/' && strpos($path, '..') === false) {
    $file = $root . $path;
    if (is_file($file)) {
        return false;                      // static file or a real .php script
    }
    if (is_dir($file) && is_file(rtrim($file, '/') . '/index.php')) {
        return false;                      // e.g. /wp-admin/
    }
}

// Front controller, like `RewriteRule . /index.php [L]`.
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
unset($_SERVER['PATH_INFO'], $_SERVER['ORIG_PATH_INFO'], $_SERVER['PATH_TRANSLATED']);
chdir($root);
require $root . '/index.php';
