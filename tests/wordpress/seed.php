<?php
/*
 * Seeds the test WordPress with categories, authors, images and posts, and
 * writes STATE_DIR/site.json describing what was created.
 *
 *   php seed.php STATE_DIR        (run by wp-up right after install.php)
 *
 * Everything is deterministic except the dates, which are relative to "now"
 * (posts are spread over the last ~4 days, Asia/Taipei).
 */
require __DIR__ . '/bootstrap.php';              // loads WordPress, acts as admin
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';

function wpt_fail($what, $err = null) {
    $msg = is_wp_error($err) ? $err->get_error_message() : (string) $err;
    fwrite(STDERR, "seed: $what failed" . ($msg !== '' ? ": $msg" : '') . "\n");
    exit(1);
}

if (get_option('wpt_seeded')) {
    wpt_fail('seed', 'this site is already seeded');
}

/* ------------------------------------------------------------ categories */

$categories = array(
    'local'     => '地方',
    'life'      => '生活',
    'health'    => '健康',
    'education' => '文教',
    'travel'    => '旅遊',
    'consumer'  => '消費',
    'society'   => '社會',
    'world'     => '國際',
    'arts'      => '藝術',
    'general'   => '綜合',
);
$cat_ids = array();
// The default category ("Uncategorized", term 1) becomes 綜合/general, so the
// site has exactly these ten categories and posts created later without a
// category land in "general".
$default_cat = (int) get_option('default_category');
$r = wp_update_term($default_cat, 'category', array('name' => $categories['general'], 'slug' => 'general'));
if (is_wp_error($r)) wpt_fail('renaming the default category', $r);
foreach ($categories as $slug => $name) {
    if ($slug === 'general') {
        $cat_ids[$slug] = $default_cat;
        continue;
    }
    $r = wp_insert_term($name, 'category', array('slug' => $slug));
    if (is_wp_error($r)) wpt_fail("category $slug", $r);
    $cat_ids[$slug] = (int) $r['term_id'];
}

/* --------------------------------------------------------------- authors */

$authors = array(
    'gov'      => array('display_name' => '行政院',     'role' => 'editor', 'email' => 'gov@example.invalid'),
    'reporter' => array('display_name' => '記者王小明', 'role' => 'author', 'email' => 'reporter@example.invalid'),
);
$author_ids = array();
foreach ($authors as $login => $a) {
    $uid = wp_insert_user(array(
        'user_login'   => $login,
        'user_pass'    => $login . '-password',
        'user_email'   => $a['email'],
        'display_name' => $a['display_name'],
        'nickname'     => $a['display_name'],
        'user_nicename' => $login,
        'role'         => $a['role'],
    ));
    if (is_wp_error($uid)) wpt_fail("user $login", $uid);
    $author_ids[$login] = (int) $uid;
}

/* ---------------------------------------------------------------- images */

function wpt_make_image($w, $h, $rgb, $label, $type) {
    $im = imagecreatetruecolor($w, $h);
    $bg = imagecolorallocate($im, $rgb[0], $rgb[1], $rgb[2]);
    imagefilledrectangle($im, 0, 0, $w - 1, $h - 1, $bg);
    // a few shapes so that JPEG/PNG compression has something to do
    for ($i = 0; $i < 12; $i++) {
        $c = imagecolorallocate($im, ($rgb[0] + 40 * $i) % 256, ($rgb[1] + 70 * $i) % 256, ($rgb[2] + 25 * $i) % 256);
        imagefilledellipse($im, (int) ($w * ($i + 1) / 13), (int) ($h / 2 + ($h / 4) * sin($i)), (int) ($w / 8), (int) ($h / 8), $c);
    }
    $white = imagecolorallocate($im, 255, 255, 255);
    imagestring($im, 5, 20, 20, "$label {$w}x{$h}", $white);
    ob_start();
    if ($type === 'jpeg') {
        imagejpeg($im, null, 85);
    } else {
        imagepng($im, null, 6);
    }
    imagedestroy($im);
    return ob_get_clean();
}

$images_spec = array(
    // key        file name             w     h    type    colour            alt text
    'banner'  => array('taipei-banner.jpg', 1200, 630, 'jpeg', array(30, 90, 160), '台北街景示意圖'),
    'square'  => array('logo-square.png',    800, 800, 'png',  array(200, 60, 60), '新聞網方形標誌'),
    'photo'   => array('night-market.jpg',  1024, 768, 'jpeg', array(20, 120, 60), '夜市人潮「熱鬧滾滾」'),
    'icon'    => array('icon-small.png',     640, 480, 'png',  array(120, 80, 160), '小圖示 & 插畫'),
);
$media = array();
foreach ($images_spec as $key => $spec) {
    list($fname, $w, $h, $type, $rgb, $alt) = $spec;
    $bits = wpt_make_image($w, $h, $rgb, $key, $type);
    $up = wp_upload_bits($fname, null, $bits);
    if (!empty($up['error'])) wpt_fail("upload $fname", $up['error']);
    $ft = wp_check_filetype($up['file']);
    $att_id = wp_insert_attachment(array(
        'post_mime_type' => $ft['type'],
        'post_title'     => $alt,
        'post_content'   => '',
        'post_excerpt'   => $alt,               // caption
        'post_status'    => 'inherit',
        'post_author'    => $author_ids['reporter'],
    ), $up['file'], 0, true);
    if (is_wp_error($att_id)) wpt_fail("attachment $fname", $att_id);
    $meta = wp_generate_attachment_metadata($att_id, $up['file']);
    if (empty($meta['width'])) wpt_fail("metadata for $fname", 'no width (GD missing?)');
    wp_update_attachment_metadata($att_id, $meta);
    update_post_meta($att_id, '_wp_attachment_image_alt', $alt);
    $media[$key] = array(
        'id'        => (int) $att_id,
        'url'       => wp_get_attachment_url($att_id),
        'mime_type' => $ft['type'],
        'width'     => (int) $meta['width'],
        'height'    => (int) $meta['height'],
        'alt'       => $alt,
    );
}

/* ----------------------------------------------------------------- posts */

$youtube = '<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="YouTube video player" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture" allowfullscreen></iframe>';

/*
 * title, category, author, slug (null = WordPress derives it from the title;
 * Chinese → percent-encoded), excerpt (null = none), tags, featured image key
 * (null = none), extra content flags.
 */
$posts = array(
    array('台北市「城市綠廊」計畫今日動工', 'local', 'gov', '台北城市綠廊', null, array('台北', '城市規劃'), 'banner', array('img')),
    array('颱風假來了！「停班停課」最新資訊 🌀', 'life', 'reporter', 'typhoon-day-off', '各縣市 "停班停課" 資訊 & 交通狀況一次看', array('颱風', '停班停課'), 'photo', array()),
    array('衛福部提醒：流感疫苗 & 新冠疫苗可同時接種', 'health', 'gov', 'flu-covid-vaccine', null, array('疫苗', '流感'), 'square', array('link')),
    array('教育部公布 "108 課綱" 新制重點', 'education', 'gov', null, '新課綱「素養導向」& 彈性學習', array('課綱', '教育部'), 'banner', array()),
    array('連假出遊 🚗 “北部” 景點人潮 & 交通攻略', 'travel', 'reporter', 'long-weekend-traffic', null, array('連假', '交通', '旅遊'), 'photo', array('img')),
    array('物價上漲 “雞蛋 & 牛奶” 又漲了？', 'consumer', 'reporter', '物價上漲-雞蛋牛奶', '雞蛋 & 牛奶價格 “再度” 上漲', array('物價'), 'icon', array()),
    array('"詐騙" 集團落網 警方呼籲民眾提高警覺', 'society', 'gov', 'fraud-ring-arrested', null, array('詐騙', '警政'), null, array('link')),
    array('日本 & 韓國 旅客人數創新高 🇯🇵🇰🇷', 'world', 'reporter', 'japan-korea-visitors', null, array('觀光', '國際'), 'banner', array()),
    array('藝術節開幕 🎭 「光影之間」展覽登場', 'arts', 'reporter', '光影之間', '「光影之間」展期 & 票價', array('藝術節', '展覽'), 'square', array('youtube')),
    array('行政院記者會重點整理', 'general', 'gov', 'cabinet-press-briefing', null, array('行政院'), 'photo', array('link')),
    array('高雄港 "夜間開放" 活動登場 🚢', 'local', 'reporter', 'kaohsiung-port-night', null, array('高雄', '港口'), 'icon', array()),
    array('全家出遊 👨‍👩‍👧 親子露營指南', 'life', 'reporter', null, '帶孩子露營要準備什麼？ “懶人包” 在這裡', array('露營', '親子'), 'photo', array('img')),
    array('醫師：每天走路 30 分鐘 & 多喝水 💧', 'health', 'reporter', 'walk-30-minutes', null, array('運動', '健康'), 'banner', array()),
    array('大學學測成績公布 🎓「頂標」分數出爐', 'education', 'reporter', 'exam-results', null, array('學測', '大學'), null, array()),
    array('花蓮太魯閣步道重新開放 ⛰️', 'travel', 'gov', '太魯閣步道', null, array('花蓮', '步道'), 'photo', array('link')),
    array('雙 11 購物節 🛒 “限時折扣” 注意事項', 'consumer', 'gov', 'double-11-shopping', '網購 & 退貨須知 "七天鑑賞期"', array('網購', '消保'), 'square', array()),
    array("捷運站 'R&D' 中心失物招領 創新高", 'society', 'reporter', 'mrt-lost-and-found', null, array('捷運'), 'icon', array('img')),
    array('聯合國氣候大會 COP 結論出爐 🌍', 'world', 'gov', 'cop-climate-summit', null, array('氣候變遷', '聯合國', '國際'), 'banner', array()),
    array('故宮新展「翠玉白菜」回來了', 'arts', 'gov', '故宮翠玉白菜', null, array('故宮', '文物'), 'photo', array()),
    array('我 <3 台灣：國慶煙火 🎉🇹🇼 倒數', 'general', 'reporter', 'national-day-fireworks', '國慶煙火 “倒數” & 交管資訊', array('國慶', '煙火'), null, array('img')),
    array('數學題「1 < 2 > 0」考倒考生？', 'education', 'gov', 'math-question', null, array('考試'), 'icon', array()),
    array('台中 "花博" 延長展期 & 夜間開放 🌸', 'local', 'gov', null, null, array('台中', '花博'), 'square', array('link')),
    array('國際書展 📚 台灣館「島嶼之聲」獲好評', 'arts', 'reporter', 'book-fair-taiwan-pavilion', null, array('書展', '出版'), 'banner', array()),
    array('健保費率調整 “明年” 上路 民眾怎麼看？', 'health', 'gov', '健保費率調整', '健保 & 長照 財源討論', array('健保'), 'photo', array()),
);

$tz  = wp_timezone();                              // Asia/Taipei
$now = time();
$n   = count($posts);
$site_posts = array();

// Oldest first, so post IDs increase with the publication date.
for ($k = $n - 1; $k >= 0; $k--) {
    list($title, $cat, $author, $slug, $excerpt, $tags, $image, $extras) = $posts[$k];
    // newest ~47 minutes ago, then every 3h53m, plus k seconds => all distinct
    $ts = $now - 47 * 60 - $k * (3 * 3600 + 53 * 60) - $k;
    $date_gmt = gmdate('Y-m-d H:i:s', $ts);
    $date     = wp_date('Y-m-d H:i:s', $ts, $tz);

    $paras = array(
        sprintf('<p>【%s】%s。本報綜合報導，相關單位今日表示將持續關注後續發展。</p>', $categories[$cat], esc_html($title)),
        '<p>民眾如有疑問，可洽詢各地服務中心；「資訊」以官方公告為準 &amp; 請勿輕信謠言。</p>',
    );
    if (in_array('link', $extras, true)) {
        $paras[] = '<p>詳細內容請見<a href="https://www.ey.gov.tw/Page/9277F759E41CCD91">行政院新聞稿</a>與<a href="http://127.0.0.1:' . wpt_port() . '/category/' . $cat . '/">本站' . $categories[$cat] . '專區</a>。</p>';
    }
    if (in_array('img', $extras, true)) {
        $m = $media[$image ? $image : 'square'];
        $paras[] = sprintf('<p><img class="wp-image-%d" src="%s" alt="%s" width="%d" height="%d" /></p>', $m['id'], esc_url($m['url']), esc_attr($m['alt']), $m['width'], $m['height']);
    }
    if (in_array('youtube', $extras, true)) {
        $paras[] = '<p>活動影片：</p>' . "\n" . $youtube;
    }
    $paras[] = '<p>（' . ($author === 'gov' ? '行政院新聞傳播處' : '記者王小明／台北報導') . '）</p>';

    $arr = array(
        'post_type'     => 'post',
        'post_status'   => 'publish',
        'post_title'    => $title,
        'post_content'  => implode("\n\n", $paras),
        'post_excerpt'  => $excerpt === null ? '' : $excerpt,
        'post_author'   => $author_ids[$author],
        'post_date'     => $date,
        'post_date_gmt' => $date_gmt,
        'post_category' => array($cat_ids[$cat]),
        'tags_input'    => $tags,
        'comment_status' => 'closed',
        'ping_status'   => 'closed',
    );
    if ($slug !== null) {
        $arr['post_name'] = $slug;
    }
    $id = wp_insert_post($arr, true);
    if (is_wp_error($id)) wpt_fail("post '$title'", $id);
    if ($image !== null) {
        set_post_thumbnail($id, $media[$image]['id']);
    }
}

// One draft and one trashed post: must never show up in the API or feeds.
$hidden = array();
$draft_id = wp_insert_post(array(
    'post_status'   => 'draft',
    'post_title'    => 'DRAFT-不應出現 草稿新聞',
    'post_name'     => 'draft-should-not-appear',
    'post_content'  => '<p>DRAFT-不應出現</p>',
    'post_author'   => $author_ids['reporter'],
    'post_category' => array($cat_ids['local']),
    'tags_input'    => array('草稿'),
), true);
if (is_wp_error($draft_id)) wpt_fail('draft post', $draft_id);
set_post_thumbnail($draft_id, $media['banner']['id']);

$trash_ts = $now - 2 * 3600;
$trash_id = wp_insert_post(array(
    'post_status'   => 'publish',
    'post_title'    => 'TRASH-不應出現 已刪除新聞',
    'post_name'     => 'trash-should-not-appear',
    'post_content'  => '<p>TRASH-不應出現</p>',
    'post_author'   => $author_ids['gov'],
    'post_date'     => wp_date('Y-m-d H:i:s', $trash_ts, $tz),
    'post_date_gmt' => gmdate('Y-m-d H:i:s', $trash_ts),
    'post_category' => array($cat_ids['society']),
    'tags_input'    => array('刪除'),
), true);
if (is_wp_error($trash_id)) wpt_fail('trash post', $trash_id);
if (!wp_trash_post($trash_id)) wpt_fail('trashing post', '');

update_option('wpt_seeded', time());

// Regenerate the rewrite rules in this fresh process, where permalink
// structure, post types and taxonomies were all set up at `init`.
flush_rewrite_rules(false);

/* -------------------------------------------------------------- site.json */

$site_posts = array();
$all = get_posts(array(
    'post_type'   => 'post',
    'post_status' => array('publish', 'draft', 'trash'),
    'numberposts' => -1,
    'orderby'     => 'date',
    'order'       => 'DESC',
    'suppress_filters' => true,
));
$login_by_id = array_flip($author_ids);
foreach ($all as $p) {
    $cats = wp_get_post_categories($p->ID, array('fields' => 'slugs'));
    $site_posts[] = array(
        'id'             => $p->ID,
        'title'          => $p->post_title,
        'status'         => $p->post_status,
        'category'       => $cats ? $cats[0] : null,
        'link'           => get_permalink($p),
        'slug'           => $p->post_name,
        'author'         => isset($login_by_id[(int) $p->post_author]) ? $login_by_id[(int) $p->post_author] : null,
        'date'           => $p->post_date,
        'date_gmt'       => $p->post_date_gmt,
        'modified_gmt'   => $p->post_modified_gmt,
        'excerpt'        => $p->post_excerpt,
        'tags'           => wp_get_post_tags($p->ID, array('fields' => 'names')),
        'featured_media' => (int) get_post_thumbnail_id($p),
    );
}

$site = array(
    'url'        => home_url('/'),
    'title'      => get_option('blogname'),
    'description' => get_option('blogdescription'),
    'timezone'   => get_option('timezone_string'),
    'rest'       => rest_url(),
    'feed'       => get_feed_link('rss2'),
    'categories' => $cat_ids,
    'category_names' => $categories,
    'authors'    => array(),
    'media'      => $media,
    'posts'      => $site_posts,
    'published'  => count(array_filter($site_posts, function ($p) { return $p['status'] === 'publish'; })),
    'state_dir'  => wpt_state(),
);
foreach ($author_ids as $login => $uid) {
    $site['authors'][$login] = array('id' => $uid, 'name' => $authors[$login]['display_name']);
}

$json = wp_json_encode($site, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
if (!$json || file_put_contents(wpt_state() . '/site.json.tmp', $json . "\n") === false
    || !rename(wpt_state() . '/site.json.tmp', wpt_state() . '/site.json')) {
    wpt_fail('writing site.json');
}
