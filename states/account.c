/*
 * account.c: Windows accounts as text.  A member of a local group is
 * written by users in any form Windows accepts, and recorded as the host
 * spells it with its SID, "CONTOSO\\alice (S-1-5-21-...)"; these helpers
 * let every place that compares members agree on what "the same account"
 * means (docs/windows-behaviour.md#accounts-by-sid).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "state.h"

static int
account_is_sid(const char *s, size_t len)
{
	size_t i;

	if (len < 5 || len >= ACCOUNT_SID_MAX ||
	    strncasecmp(s, "S-1-", 4) != 0)
		return 0;
	for (i = 4; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int
account_sid_in(const char *text, char sid[ACCOUNT_SID_MAX])
{
	const char *open;
	size_t len = strlen(text);

	if (account_is_sid(text, len)) {
		memcpy(sid, text, len + 1);
		return 1;
	}
	if (len < 2 || text[len - 1] != ')' ||
	    (open = strrchr(text, '(')) == NULL || open == text ||
	    open[-1] != ' ' ||
	    !account_is_sid(open + 1, (size_t)(text + len - 1 - open - 1)))
		return 0;
	snprintf(sid, ACCOUNT_SID_MAX, "%.*s", (int)(text + len - open - 2),
	    open + 1);
	return 1;
}

char *
account_name_in(const char *text)
{
	char sid[ACCOUNT_SID_MAX];
	size_t len = strlen(text);

	if (account_is_sid(text, len))
		return NULL;
	if (account_sid_in(text, sid))
		return xstrndup(text, len - strlen(sid) - 3);
	return xstrdup(text);
}

int
account_same(const char *a, const char *b)
{
	char sa[ACCOUNT_SID_MAX], sb[ACCOUNT_SID_MAX], *na, *nb;
	int same;

	if (account_sid_in(a, sa) && account_sid_in(b, sb))
		return strcasecmp(sa, sb) == 0;
	na = account_name_in(a);
	nb = account_name_in(b);
	same = na != NULL && nb != NULL && strcasecmp(na, nb) == 0;
	free(na);
	free(nb);
	return same;
}

int
account_seq_has(const struct node *seq, const char *v)
{
	size_t i;

	for (i = 0; seq != NULL && seq->kind == NODE_SEQ && i < seq->nitems;
	    i++)
		if (seq->items[i]->kind == NODE_SCALAR &&
		    account_same(seq->items[i]->value, v))
			return 1;
	return 0;
}
