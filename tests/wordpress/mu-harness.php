<?php
/*
 * Plugin Name: syndicate test harness
 * Description: Keeps a loopback-only WordPress quiet: no e-mail.
 * (Copied by wp-up into STATE_DIR/www/wp-content/mu-plugins/.)
 */
add_filter('pre_wp_mail', '__return_false');      // never try to run sendmail
