# bash completion for enforcer(1): verbs, their options, host and group
# names and window names from the desired state, run ids from the history.
# Verbs and options come from enforcer's own --help, names from
# `enforcer complete`, so this file never falls behind the binary.

# The desired state the command line names so far: its last word that is
# an existing file or directory (else enforcer's default, /etc/enforcer).
_enforcer_path()
{
	local i w path=
	for ((i = 2; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w != -* && -e $w ]] && path=$w
	done
	printf '%s' "$path"
}

_enforcer_names()
{
	local path
	path=$(_enforcer_path)
	"${COMP_WORDS[0]}" complete "$1" ${path:+"$path"} 2>/dev/null
}

# Run ids, newest first: the second column of `enforcer history`.
_enforcer_runs()
{
	local path
	path=$(_enforcer_path)
	"${COMP_WORDS[0]}" history --limit 50 ${path:+"$path"} 2>/dev/null |
	    awk '{ print $2 }'
}

# --hosts a,b,c: complete the last name of the list.
_enforcer_hosts_list()
{
	local cur=$1 head= last=$1 names
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		last=${cur##*,}
	fi
	names=$( { _enforcer_names hosts; _enforcer_names groups; } )
	COMPREPLY=($(compgen -P "$head" -W "$names" -- "$last"))
}

_enforcer()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]} verb=${COMP_WORDS[1]} sub= opts words
	COMPREPLY=()

	if ((COMP_CWORD == 1)); then
		words=$("$prog" --help 2>/dev/null |
		    sed -n '/^verbs:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
		COMPREPLY=($(compgen -W "$words --help --version" -- "$cur"))
		return
	fi
	[[ $verb == window ]] && sub=${COMP_WORDS[2]}
	if [[ $verb == window ]] && ((COMP_CWORD == 2)); then
		COMPREPLY=($(compgen -W "open close extend list" -- "$cur"))
		return
	fi

	case $prev in
	--hosts)
		_enforcer_hosts_list "$cur"
		return ;;
	--host)
		COMPREPLY=($(compgen -W "$(_enforcer_names hosts)" -- "$cur"))
		return ;;
	--class)
		COMPREPLY=($(compgen -W "intentional corrective window expiry" \
		    -- "$cur"))
		return ;;
	--history | --cache | --repo)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--metrics-file | --require-signed)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--parallel | --connections | --at | --for | --until | --since | --limit | --timeout | \
	--reason | --set | --ref | --sign | --start | --recent)
		return ;;
	esac

	if [[ $cur == -* ]]; then
		opts=$("$prog" "$verb" ${sub:+"$sub"} --help 2>/dev/null |
		    grep -o -- '--[a-z][a-z-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $verb/$sub in
	window/close | window/extend)
		if ((COMP_CWORD == 3)); then
			COMPREPLY=($(compgen -W "$(_enforcer_names windows)" \
			    -- "$cur"))
			return
		fi ;;
	revert/ | show/)
		if [[ $prev == "$verb" || $prev == --* && $prev != --dry-run && \
		    $prev != --json ]] || ((COMP_CWORD == 2)); then
			COMPREPLY=($(compgen -W "$(_enforcer_runs)" -- "$cur"))
			return
		fi ;;
	esac
	COMPREPLY=($(compgen -f -- "$cur"))
	compopt -o filenames 2>/dev/null
}
complete -F _enforcer enforcer
