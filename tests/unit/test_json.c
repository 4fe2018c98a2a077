/*
 * test_json.c: the JSON writer: separators, nesting, escaping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "json.h"

static void
test_nesting(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	json_object_begin(&j);
	json_kv_string(&j, "host", "node1");
	json_key(&j, "changes");
	json_array_begin(&j);
	json_int(&j, 1);
	json_object_begin(&j);
	json_kv_bool(&j, "ok", 1);
	json_key(&j, "err");
	json_null(&j);
	json_object_end(&j);
	json_array_end(&j);
	json_kv_int(&j, "n", -3);
	json_object_end(&j);
	assert_string_equal(buf_cstr(&b),
	    "{\"host\":\"node1\",\"changes\":[1,{\"ok\":true,\"err\":null}],"
	    "\"n\":-3}");
	buf_release(&b);
}

static void
test_escaping(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	json_string(&j, "CONTOSO\\hci \"admins\"\n\x01");
	assert_string_equal(buf_cstr(&b),
	    "\"CONTOSO\\\\hci \\\"admins\\\"\\n\\u0001\"");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_escaping),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
