<?php
/*
 * Non-interactive WordPress install for the test harness.
 *   php install.php STATE_DIR
 * Creates the tables, site options, the admin user, and removes the default
 * content (Hello world!, Sample Page, Privacy Policy draft).
 */
define('WPT_NO_LOAD', true);
require __DIR__ . '/bootstrap.php';

define('WP_INSTALLING', true);

// Pluggable in upgrade.php: no "your new site" e-mail (no MTA here).
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {}

require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if (is_blog_installed()) {
    fwrite(STDERR, "WordPress is already installed in " . wpt_state() . "\n");
    exit(1);
}

$result = wp_install(
    '全國大小事新聞網',         // blog title
    'admin',                   // admin login
    'admin@example.invalid',   // admin e-mail
    true,                      // public
    '',                        // deprecated
    'admin',                   // admin password
    ''                         // language: default (en_US)
);
if (empty($result['user_id'])) {
    fwrite(STDERR, "wp_install() failed\n");
    exit(1);
}

update_option('blogdescription', '全國大小事，一網打盡');
update_option('timezone_string', 'Asia/Taipei');
update_option('gmt_offset', '');
update_option('posts_per_rss', 100);
update_option('posts_per_page', 10);
update_option('rss_use_excerpt', 0);
update_option('default_pingback_flag', 0);
update_option('default_ping_status', 'closed');
update_option('uploads_use_yearmonth_folders', 1);

// Pretty permalinks.  Soft flush: just regenerate the rewrite_rules option
// (there is no Apache, nothing to write to .htaccess).  The category/tag
// permastructs are only added when a taxonomy is registered while
// permalink_structure is non-empty, and at `init` of this process it was
// still empty: register the built-in taxonomies again before flushing,
// otherwise /category/<slug>/ and its feed would be 404 / empty.
// (seed.php flushes once more from a fresh process.)
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
create_initial_taxonomies();
$wp_rewrite->flush_rules(false);

// Remove the default content created by wp_install_defaults().
foreach (get_posts(array('post_type' => array('post', 'page'), 'post_status' => 'any', 'numberposts' => -1, 'fields' => 'ids')) as $id) {
    wp_delete_post($id, true);
}
foreach (get_comments(array('fields' => 'ids')) as $cid) {
    wp_delete_comment($cid, true);
}
