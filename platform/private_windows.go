//go:build windows

package platform

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// broadSIDs are the groups that mean "other users" on a Windows PC.
var broadSIDs = []struct {
	sid  windows.WELL_KNOWN_SID_TYPE
	name string
}{
	{windows.WinWorldSid, "Everyone"},
	{windows.WinBuiltinUsersSid, "Users"},
	{windows.WinAuthenticatedUserSid, "Authenticated Users"},
	{windows.WinBuiltinGuestsSid, "Guests"},
	{windows.WinAnonymousSid, "ANONYMOUS LOGON"},
}

const readRights = windows.FILE_READ_DATA | windows.GENERIC_READ | windows.GENERIC_ALL

// OthersCanRead tells whether the file's access list lets a broad group
// (Everyone, Users, ...) read path. File modes mean nothing on Windows:
// the access list is what counts. A file whose list cannot be read is
// taken as open.
func OthersCanRead(path string) (open bool, how string) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return true, fmt.Sprintf("无法读取访问权限（%v）", err)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		return true, "没有访问控制列表（所有人可读）"
	}
	for i := uint16(0); i < dacl.AceCount; i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, uint32(i), &ace); err != nil {
			return true, fmt.Sprintf("无法读取访问权限（%v）", err)
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || uint32(ace.Mask)&readRights == 0 {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		for _, b := range broadSIDs {
			if sid.IsWellKnown(b.sid) {
				return true, b.name + " 可读取"
			}
		}
	}
	return false, "仅限本用户与管理员"
}

// PrivateFix is the one command that leaves path to its owner, SYSTEM (the
// service) and the administrators.
func PrivateFix(path string) string {
	return fmt.Sprintf(`icacls "%s" /inheritance:r /grant:r "%%USERNAME%%:F" SYSTEM:F Administrators:F`, path)
}
